import { useState, type FormEvent } from 'react';
import { ErrorSummary, TextArea } from '../../shared/forms.tsx';
import { useI18n } from '../../shared/i18n.tsx';
import { enumLabel } from '../../shared/labels.ts';
import { PageHeading } from '../../shared/layout.tsx';
import { LoadError } from '../../shared/problem-view.tsx';
import { Progress } from '../../shared/progress.tsx';
import { Link } from '../../shared/router.tsx';
import { useDraft } from '../../shared/use-draft.ts';
import { useResource } from '../../shared/use-resource.ts';
import { useOfficer } from '../context.tsx';
import { Facts, RadioGroup, useOfficerAction } from '../forms.tsx';
import { useOfficerApi } from '../http.ts';
import { ChecksView, HistoryTable, ReceiptButton, actorLabel } from '../parts.tsx';
import type { HistoryRow, OfficerApplication } from '../types.ts';
import { rowClass, timeLeft } from './queue.tsx';

/**
 * One application as the officer decides it: who applied for what, the legal deadline with the
 * working days left, every check the platform ran (registries, phone, the matchers' scores against
 * their thresholds, the capture quality in words), the history, and the decisions its state allows
 * (Decree 69 Arts 10–14). Maker–checker and a decision taken meanwhile by someone else are said
 * plainly, with what to do next.
 */

/** The reason codes an approver may give (src/issuance/model.ts REJECTION_REASONS). */
export const REJECTION_CODES = [
  'registry_not_found',
  'declared_data_mismatch',
  'deceased',
  'under_minimum_age',
  'needs_representative',
  'id_card_invalid',
  'no_id_card',
  'residence_card_invalid',
  'passport_expired',
  'phone_not_owned',
  'phone_already_bound',
  'account_exists',
  'no_account_to_upgrade',
  'face_mismatch',
  'fingerprint_mismatch',
  'biometric_quality',
  'not_a_representative',
  'representative_level_too_low',
  'dependant_too_old',
  'organisation_inactive',
  'officer_decision',
  'card_application_failed',
] as const;

interface Detail {
  application: OfficerApplication;
  history: HistoryRow[];
}

interface UnitSummary {
  unit_id: string;
  name_vi: string | null;
  name_en: string | null;
  roles: string[];
}

/** Working days left, from the queue entry of this application (the server counts on the calendar). */
interface Left {
  due_on: string | null;
  working_days_left: number | null;
  overdue: boolean;
}

export function ApplicationPage({ brand, id }: { brand: string; id: string }) {
  const { t, lang, dateTime } = useI18n();
  const api = useOfficerApi();
  const { me } = useOfficer();
  const detail = useResource(
    (signal) => api.get<Detail>(`/api/v1/officer/applications/${encodeURIComponent(id)}`, { signal }),
    [api, id, lang],
  );
  const app = detail.data?.application;
  const unit = useResource(
    (signal) =>
      app
        ? api.get<UnitSummary>(`/api/v1/officer/units/${app.unit_id}/summary`, { signal })
        : Promise.resolve(undefined),
    [api, app?.unit_id],
  );
  // The queue knows the working days left; a decided application is no longer in it.
  const left = useResource(
    async (signal) => {
      if (!app) return undefined;
      const queue = await api.get<{ entries: (Left & { application: { id: string } })[] }>(
        `/api/v1/officer/queue?unit_id=${app.unit_id}&limit=500`,
        { signal },
      );
      return queue.entries.find((e) => e.application.id === app.id);
    },
    [api, app?.id, app?.unit_id, app?.version],
  );
  const unitName = unit.data ? ((lang === 'en' ? unit.data.name_en : unit.data.name_vi) ?? undefined) : undefined;
  const myId = me.data?.account_id;
  const dossier = app?.dossier ?? {};
  return (
    <>
      <PageHeading brand={brand}>
        {app ? t('application_title', { number: app.number }) : t('off_application')}
      </PageHeading>
      <p>
        <Link to="/officer/">{t('back_to_queue')}</Link>
      </p>
      {detail.loading && !app && <Progress />}
      {detail.error ? <LoadError error={detail.error} retry={detail.reload} /> : null}
      {app && (
        <>
          <section className="panel" aria-labelledby="app-summary">
            <h2 id="app-summary">{t('application_summary')}</h2>
            <Facts
              items={[
                [t('col_procedure'), app.procedure_name],
                [t('col_state'), <strong key="s">{enumLabel('state', app.state, t)}</strong>],
                [t('col_subject'), app.subject_name],
                [t('off_subject_kind'), enumLabel('subject', app.subject_kind, t)],
                [t('card_pin'), typeof dossier.pin === 'string' ? dossier.pin : undefined],
                [t('enterprise_code'), typeof dossier.enterpriseCode === 'string' ? dossier.enterpriseCode : undefined],
                [t('account_phone'), app.phone ?? undefined],
                [t('account_email'), app.email ?? undefined],
                [t('off_unit'), unitName ?? app.unit_id],
                [t('col_received'), app.received_at ? dateTime(app.received_at) : undefined],
                [t('off_received_by'), app.received_by ? actorLabel(`officer:${app.received_by}`, t, myId) : undefined],
                [t('off_decided_at'), app.decided_at ? dateTime(app.decided_at) : undefined],
                [t('off_decided_by'), app.decided_by ? actorLabel(`officer:${app.decided_by}`, t, myId) : undefined],
              ]}
            />
          </section>
          <Deadline app={app} left={left.data} />
          {app.reasons && app.reasons.length > 0 && (
            <section className="panel" aria-labelledby="app-reasons">
              <h2 id="app-reasons">{t('off_reasons_title')}</h2>
              <ul>
                {app.reasons.map((r) => (
                  <li key={`${r.code}-${r.field ?? ''}`}>{r.message}</li>
                ))}
              </ul>
            </section>
          )}
          <section className="panel" aria-labelledby="app-checks">
            <h2 id="app-checks">{t('off_checks_title')}</h2>
            {app.checks ? <ChecksView checks={app.checks} /> : <p>{t('none')}</p>}
          </section>
          {app.received_at && app.due_at && (
            <section className="panel" aria-labelledby="app-receipt">
              <h2 id="app-receipt">{t('off_receipt_title')}</h2>
              <ReceiptButton applicationId={app.id} />
            </section>
          )}
          <Decision app={app} roles={unit.data?.roles ?? []} myId={myId} onDecided={detail.reload} />
          <section aria-labelledby="app-history">
            <h2 id="app-history">{t('off_history_title')}</h2>
            <HistoryTable rows={detail.data?.history ?? []} caption={t('off_history_caption')} me={myId} />
          </section>
        </>
      )}
    </>
  );
}

function Deadline({ app, left }: { app: OfficerApplication; left: Left | undefined }) {
  const { t, date, dateTime } = useI18n();
  if (!app.due_at) return null;
  const rule = app.deadline
    ? t(app.deadline.unit === 'working' ? 'deadline_working' : 'deadline_calendar', { n: app.deadline.days })
    : undefined;
  const className = left ? `panel deadline ${rowClass(left) ?? ''}` : 'panel deadline';
  return (
    <section className={className} aria-labelledby="app-deadline">
      <h2 id="app-deadline">{t('col_due')}</h2>
      <Facts
        items={[
          [t('deadline_rule'), rule],
          [t('col_due'), `${app.due_on ? date(app.due_on) : ''} (${dateTime(app.due_at)})`],
          [
            t('col_left'),
            left ? (
              left.overdue ? (
                <strong className="left-overdue" key="l">
                  {timeLeft(left, t)}
                </strong>
              ) : (
                timeLeft(left, t)
              )
            ) : app.decided_at ? (
              t('decided_already')
            ) : undefined,
          ],
        ]}
      />
      {app.due_on && <p className="hint">{t('due_on_hint', { date: date(app.due_on) })}</p>}
    </section>
  );
}

const NEEDS_REASONS = new Set(['reject']);

function Decision(props: { app: OfficerApplication; roles: string[]; myId: string | undefined; onDecided(): void }) {
  const { app, roles, myId, onDecided } = props;
  const { t } = useI18n();
  const api = useOfficerApi();
  const action = useOfficerAction();
  const actions = (app.actions ?? []).filter((a) => roles.length === 0 || roles.includes(a.role));
  const [draft, setDraft, clearDraft] = useDraft(`decision:${app.id}`, {
    event: '',
    codes: [] as string[],
    note: '',
  });
  const [done, setDone] = useState<string | undefined>();
  if ((app.actions ?? []).length === 0) {
    return done ? (
      <p className="success" role="status">
        {done}
      </p>
    ) : null;
  }
  const event = actions.some((a) => a.event === draft.event) ? draft.event : (actions[0]?.event ?? '');
  const makerChecker = myId !== undefined && app.received_by === myId && ['approve', 'reject'].includes(event);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (NEEDS_REASONS.has(event) && draft.codes.length === 0) {
      action.fail({ reasons: t('reasons_required') });
      return;
    }
    const reasons = NEEDS_REASONS.has(event)
      ? draft.codes.map((code) => ({ code, ...(draft.note.trim() ? { note: draft.note.trim().slice(0, 500) } : {}) }))
      : undefined;
    const updated = await action.run(() =>
      api.post<OfficerApplication>(`/api/v1/officer/applications/${app.id}/decision`, {
        event,
        version: app.version,
        ...(reasons ? { reasons } : {}),
        ...(draft.note.trim() && !reasons ? { note: draft.note.trim().slice(0, 1000) } : {}),
      }),
    );
    if (updated) {
      clearDraft();
      setDone(t('decision_done', { state: enumLabel('state', updated.state, t) }));
      onDecided();
    }
  }

  return (
    <section className="panel" aria-labelledby="app-decision">
      <h2 id="app-decision">{t('decision_title')}</h2>
      {done && (
        <p className="success" role="status">
          {done}
        </p>
      )}
      {actions.length === 0 ? (
        <p>{t('decision_not_yours')}</p>
      ) : (
        <form onSubmit={(e) => void submit(e)} noValidate>
          <ErrorSummary items={action.summary} />
          {action.code === 'CONFLICT' || action.code === 'APPLICATION_TRANSITION_NOT_ALLOWED' ? (
            <p>
              <button type="button" className="button-secondary" onClick={onDecided}>
                {t('reload_application')}
              </button>
            </p>
          ) : null}
          <RadioGroup
            id="event"
            legend={t('decision_event')}
            value={event}
            options={actions.map((a) => ({ value: a.event, label: enumLabel('decide', a.event, t) }))}
            onChange={(value) => setDraft({ ...draft, event: value })}
          />
          {makerChecker && <p className="notice notice-warning">{t('maker_checker_warning')}</p>}
          {NEEDS_REASONS.has(event) && (
            <fieldset
              id="reasons"
              className={action.fields.reasons ? 'field field-error checkboxes' : 'field checkboxes'}
              aria-describedby={action.fields.reasons ? 'reasons-error' : undefined}
            >
              <legend>{t('reasons_legend')}</legend>
              {action.fields.reasons && (
                <p className="error-message" id="reasons-error">
                  {action.fields.reasons}
                </p>
              )}
              {REJECTION_CODES.map((code) => (
                <div className="checkbox" key={code}>
                  <input
                    type="checkbox"
                    id={`reason-${code}`}
                    checked={draft.codes.includes(code)}
                    onChange={(e) =>
                      setDraft({
                        ...draft,
                        codes: e.target.checked ? [...draft.codes, code] : draft.codes.filter((c) => c !== code),
                      })
                    }
                  />
                  <label htmlFor={`reason-${code}`}>{t(`reason_${code}`)}</label>
                </div>
              ))}
            </fieldset>
          )}
          <TextArea
            id="note"
            label={t('decision_note')}
            hint={t('decision_note_hint')}
            error={action.fields.note ?? action.fields['reasons.note']}
            value={draft.note}
            maxLength={500}
            onChange={(e) => setDraft({ ...draft, note: e.target.value })}
          />
          <p className="hint">{t('draft_kept')}</p>
          <div className="actions">
            <button type="submit" disabled={action.busy}>
              {t('decision_submit')}
            </button>
          </div>
          {action.busy && <Progress label={t('sending')} />}
        </form>
      )}
    </section>
  );
}
