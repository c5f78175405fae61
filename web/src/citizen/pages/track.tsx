import { useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../../shared/api.ts';
import { useAuth } from '../../shared/auth.tsx';
import { ErrorSummary, TextField, type FieldErrors } from '../../shared/forms.tsx';
import { useI18n } from '../../shared/i18n.tsx';
import { PageHeading } from '../../shared/layout.tsx';
import { Progress } from '../../shared/progress.tsx';
import { navigate } from '../../shared/router.tsx';
import { useDraft } from '../../shared/use-draft.ts';
import { StateBadge } from '../components/application-view.tsx';
import { useFormAction } from '../form-action.ts';
import type { PublicStatus } from '../types.ts';

/**
 * Follow an application without signing in (the receipt's QR code): its number and the code printed
 * beside it give the state and dates, no personal data. `/track/<number>?code=<code>` (the link of
 * the QR code) looks it up at once.
 */

/** `/track/HS-2026-000123` → the number. */
export function trackedNumber(path: string): string | undefined {
  const match = /^\/track\/([^/]+)\/?$/.exec(path);
  return match ? decodeURIComponent(match[1]!) : undefined;
}

export function TrackPage({ number: fromPath }: { number?: string | undefined }) {
  const { t } = useI18n();
  const { api } = useAuth();
  const action = useFormAction((error) =>
    error instanceof ApiError && error.status === 404 ? { number: t('cz_track_not_found') } : undefined,
  );
  const [draft, setDraft] = useDraft('track', { number: '', code: '' });
  const [status, setStatus] = useState<PublicStatus | undefined>();

  async function lookUp(number: string, code: string) {
    setStatus(undefined);
    const found = await action.run(() =>
      api.get<PublicStatus>(
        `/api/v1/public/applications/${encodeURIComponent(number)}/status?code=${encodeURIComponent(code)}`,
      ),
    );
    if (found) setStatus(found);
  }

  // The QR link: look it up at once.
  useEffect(() => {
    const code = new URLSearchParams(location.search).get('code');
    if (fromPath && code) {
      setDraft({ number: fromPath, code });
      void lookUp(fromPath, code);
    }
    // On arrival and when the address changes.
  }, [fromPath]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const number = draft.number.trim();
    const code = draft.code.trim();
    const wrong: FieldErrors = {};
    if (!number) wrong.number = t('cz_track_number_required');
    if (!code) wrong.code = t('cz_track_code_required');
    if (Object.keys(wrong).length > 0) return action.fail(wrong);
    navigate(`/track/${encodeURIComponent(number)}?code=${encodeURIComponent(code)}`, { replace: true });
    await lookUp(number, code);
  }

  return (
    <>
      <PageHeading brand={t('brand')}>{t('cz_track_title')}</PageHeading>
      <form className="panel" onSubmit={submit} noValidate>
        <ErrorSummary items={action.summary} />
        <p>{t('cz_track_intro')}</p>
        <TextField
          id="number"
          label={t('cz_app_number')}
          hint={t('cz_track_number_hint')}
          error={action.fields.number}
          autoComplete="off"
          maxLength={40}
          value={draft.number}
          onChange={(e) => setDraft({ ...draft, number: e.target.value })}
        />
        <TextField
          id="code"
          label={t('cz_track_code_label')}
          hint={t('cz_track_code_hint')}
          error={action.fields.code}
          autoComplete="off"
          maxLength={40}
          value={draft.code}
          onChange={(e) => setDraft({ ...draft, code: e.target.value })}
        />
        <button type="submit" disabled={action.busy}>
          {t('cz_track_submit')}
        </button>
        {action.busy && <Progress />}
      </form>
      {status && <StatusView status={status} />}
    </>
  );
}

function StatusView({ status }: { status: PublicStatus }) {
  const { t, date } = useI18n();
  return (
    <section className="panel" aria-labelledby="status-title" aria-live="polite">
      <h2 id="status-title">{t('cz_track_result', { number: status.number })}</h2>
      <dl className="facts">
        <dt>{t('cz_app_procedure')}</dt>
        <dd>{status.procedure_name}</dd>
        <dt>{t('cz_app_state')}</dt>
        <dd>
          <StateBadge state={status.state} />
        </dd>
        <dt>{t('cz_app_received')}</dt>
        <dd>{status.received_on ? date(status.received_on) : t('none')}</dd>
        <dt>{t('cz_app_due')}</dt>
        <dd>{status.due_on ? date(status.due_on) : t('no_deadline')}</dd>
        <dt>{t('cz_app_decided')}</dt>
        <dd>{status.decided_on ? date(status.decided_on) : t('cz_not_yet')}</dd>
      </dl>
    </section>
  );
}
