import { useState } from 'react';
import { errorMessage } from '../shared/api.ts';
import { useI18n, type Translate } from '../shared/i18n.tsx';
import { enumLabel } from '../shared/labels.ts';
import { Progress } from '../shared/progress.tsx';
import { qualityWords } from './forms.tsx';
import { openPdf, useOfficerApi } from './http.ts';
import type { BiometricCheck, Checks, HistoryRow } from './types.ts';

/** Pieces several console pages show: a flow's history, the checks of an application, the receipt. */

/** `officer:3f2a…` → "Cán bộ 3f2a…"; `system:…` → "Hệ thống". */
export function actorLabel(actor: string, t: Translate, me?: string): string {
  const [kind = '', id = ''] = actor.split(':', 2);
  if (kind === 'officer' && me && id === me) return t('actor_you');
  if (kind === 'officer') return t('actor_officer', { id: id.slice(0, 8) });
  return enumLabel('actor', kind, t);
}

export function HistoryTable({ rows, caption, me }: { rows: HistoryRow[]; caption: string; me?: string | undefined }) {
  const { t, dateTime } = useI18n();
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label={caption}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('col_time')}</th>
            <th scope="col">{t('col_event')}</th>
            <th scope="col">{t('col_state')}</th>
            <th scope="col">{t('col_actor')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((h) => (
            <tr key={`${h.at}-${h.event}-${h.to}`}>
              <td>{dateTime(h.at)}</td>
              <td>{enumLabel('event', h.event, t)}</td>
              <td>
                {h.from ? `${enumLabel('state', h.from, t)} → ` : ''}
                {enumLabel('state', h.to, t)}
              </td>
              <td>{actorLabel(h.actor, t, me)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function scoreText(check: BiometricCheck, t: Translate): string {
  if (check.score === null) return t('score_none');
  const score = check.score.toFixed(3);
  return check.threshold === null
    ? t('score_only', { score })
    : t('score_vs_threshold', { score, threshold: check.threshold.toFixed(3) });
}

/** One matcher's answer: decision in words, score against the threshold (a meter), quality messages. */
export function BiometricResult({ check }: { check: BiometricCheck }) {
  const { t } = useI18n();
  const passed = check.decision === 'match';
  const max = Math.max(1, check.threshold ?? 0, check.score ?? 0);
  return (
    <li className={passed ? 'bio bio-ok' : 'bio bio-bad'}>
      <h4>
        {enumLabel('bio', check.kind, t)}:{' '}
        <strong className={passed ? 'text-ok' : 'text-bad'}>{enumLabel('decision', check.decision, t)}</strong>
      </h4>
      <p>{scoreText(check, t)}</p>
      {check.score !== null && (
        <div className="score-bar" aria-hidden="true">
          <div className="score-fill" style={{ width: `${(Math.max(0, check.score) / max) * 100}%` }} />
          {check.threshold !== null && (
            <div className="score-threshold" style={{ left: `${(check.threshold / max) * 100}%` }} />
          )}
        </div>
      )}
      {check.quality.length > 0 && <p className="quality">{qualityWords(check.quality, t)}</p>}
      <p className="hint">{t('off_engine', { engine: check.engine })}</p>
    </li>
  );
}

export function ChecksView({ checks }: { checks: Checks }) {
  const { t } = useI18n();
  const biometrics = checks.biometrics ?? [];
  return (
    <>
      <dl className="facts">
        {checks.registry && (
          <div className="fact">
            <dt>{t('check_registry')}</dt>
            <dd>
              {enumLabel('registry', checks.registry, t)}
              {checks.mismatchedFields && checks.mismatchedFields.length > 0
                ? ` (${checks.mismatchedFields.map((f) => enumLabel('field', f, t)).join(', ')})`
                : ''}
            </dd>
          </div>
        )}
        {checks.phone && (
          <div className="fact">
            <dt>{t('check_phone')}</dt>
            <dd>{enumLabel('phone', checks.phone, t)}</dd>
          </div>
        )}
        {checks.notes && checks.notes.length > 0 && (
          <div className="fact">
            <dt>{t('check_notes')}</dt>
            <dd>{checks.notes.map((n) => enumLabel('note', n, t)).join('; ')}</dd>
          </div>
        )}
      </dl>
      {biometrics.length > 0 && (
        <>
          <h3>{t('check_biometrics')}</h3>
          <ul className="bio-list">
            {biometrics.map((b) => (
              <BiometricResult key={b.kind} check={b} />
            ))}
          </ul>
        </>
      )}
    </>
  );
}

/** "Print receipt": the PDF behind the bearer, opened in a new tab. */
export function ReceiptButton({ applicationId }: { applicationId: string }) {
  const { t } = useI18n();
  const api = useOfficerApi();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  async function open() {
    setBusy(true);
    setError(undefined);
    // Opened at once, inside the click, so that no pop-up blocker stops it; filled when the PDF is here.
    const tab = window.open('', '_blank');
    try {
      await openPdf(api, `/api/v1/officer/applications/${applicationId}/receipt.pdf`, tab);
    } catch (e) {
      tab?.close();
      setError(errorMessage(e, t));
    } finally {
      setBusy(false);
    }
  }
  return (
    <div>
      <button type="button" className="button-secondary" onClick={() => void open()} disabled={busy}>
        {t('print_receipt')}
      </button>
      {busy && <Progress label={t('receipt_loading')} />}
      {error && (
        <p className="error-message" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
