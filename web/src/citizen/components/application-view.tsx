import type { ReactNode } from 'react';
import { useI18n, type Translate } from '../../shared/i18n.tsx';
import { enumLabel } from '../../shared/labels.ts';
import type { MessageKey } from '../../shared/messages.ts';
import { vi } from '../../shared/messages.ts';
import type { Application } from '../types.ts';

/**
 * One application as its applicant sees it: number, procedure, state, the legal deadline, and, for
 * a refusal, every reason in words with what to do next (a face that does not match sends the person
 * to a counter, Decree 69 Art 10–11).
 */

export const OPEN_STATES = ['awaiting_consent', 'awaiting_card', 'received', 'forwarded', 'manual_review'];

/** What to do after a refusal for this reason, if there is advice. */
export function reasonAdvice(code: string, t: Translate): string | undefined {
  const key = `cz_advice_${code}`;
  return key in vi ? t(key as MessageKey) : undefined;
}

export function StateBadge({ state }: { state: string }) {
  const { t } = useI18n();
  const tone = state === 'approved' ? 'badge badge-ok' : OPEN_STATES.includes(state) ? 'badge' : 'badge badge-stop';
  return <span className={tone}>{enumLabel('state', state, t)}</span>;
}

export function Deadline({ application }: { application: Application }) {
  const { t, date } = useI18n();
  if (!application.due_on) return <>{t('no_deadline')}</>;
  const period = application.deadline
    ? t(application.deadline.unit === 'calendar' ? 'cz_deadline_calendar' : 'cz_deadline_working', {
        n: application.deadline.days,
      })
    : undefined;
  return (
    <>
      {date(application.due_on)}
      {period && <span className="hint"> ({period})</span>}
    </>
  );
}

export function ApplicationFacts({ application, extra }: { application: Application; extra?: ReactNode }) {
  const { t, dateTime } = useI18n();
  const a = application;
  return (
    <>
      <dl className="facts">
        <dt>{t('cz_app_number')}</dt>
        <dd>
          <strong>{a.number}</strong>
        </dd>
        <dt>{t('cz_app_procedure')}</dt>
        <dd>{a.procedure_name}</dd>
        <dt>{t('cz_app_subject')}</dt>
        <dd>{a.subject_name}</dd>
        <dt>{t('cz_app_state')}</dt>
        <dd>
          <StateBadge state={a.state} />
        </dd>
        <dt>{t('cz_app_received')}</dt>
        <dd>{a.received_at ? dateTime(a.received_at) : t('none')}</dd>
        <dt>{t('cz_app_due')}</dt>
        <dd>
          <Deadline application={a} />
        </dd>
        {a.consent_due_at && (
          <>
            <dt>{t('cz_app_consent_due')}</dt>
            <dd>{dateTime(a.consent_due_at)}</dd>
          </>
        )}
        {a.decided_at && (
          <>
            <dt>{t('cz_app_decided')}</dt>
            <dd>{dateTime(a.decided_at)}</dd>
          </>
        )}
        {a.phone && (
          <>
            <dt>{t('cz_app_phone')}</dt>
            <dd>{a.phone}</dd>
          </>
        )}
        {extra}
      </dl>
      {a.reasons.length > 0 && <Reasons application={a} />}
    </>
  );
}

function Reasons({ application }: { application: Application }) {
  const { t } = useI18n();
  const refused = !OPEN_STATES.includes(application.state) && application.state !== 'approved';
  return (
    <div className={refused ? 'notice notice-danger' : 'notice notice-warning'}>
      <h3>{refused ? t('cz_reasons_refused') : t('cz_reasons_noted')}</h3>
      <ul>
        {application.reasons.map((r) => {
          const advice = reasonAdvice(r.code, t);
          return (
            <li key={`${r.code}:${r.field ?? ''}`}>
              {r.message}
              {advice && <div className="advice">{advice}</div>}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
