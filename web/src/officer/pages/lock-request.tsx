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
import { HistoryTable, actorLabel } from '../parts.tsx';
import type { HistoryRow, LockQueueEntry, LockRequest } from '../types.ts';
import { rowClass, timeLeft } from './queue.tsx';

/**
 * One lock request (TK03) and its step: PC06 forwards to C06 or returns it with written reasons
 * within 1 working day; C06 approves (the lock or unlock takes effect) or refuses with reasons within
 * 2. Whoever forwarded it does not decide it. The deadline of the step and an overdue step are shown.
 */

const NEEDS_REASONS = new Set(['return', 'refuse']);

export function LockRequestPage({ brand, id }: { brand: string; id: string }) {
  const { t, lang, date, dateTime } = useI18n();
  const api = useOfficerApi();
  const { me } = useOfficer();
  const detail = useResource(
    (signal) =>
      api.get<{ request: LockRequest; history: HistoryRow[] }>(
        `/api/v1/officer/lock-requests/${encodeURIComponent(id)}`,
        {
          signal,
        },
      ),
    [api, id, lang],
  );
  const request = detail.data?.request;
  const left = useResource(
    async (signal) => {
      if (!request) return undefined;
      const list = await api.get<{ entries: LockQueueEntry[] }>('/api/v1/officer/lock-requests?limit=500', { signal });
      return list.entries.find((e) => e.request.id === request.id);
    },
    [api, request?.id, request?.version],
  );
  const myId = me.data?.account_id;
  return (
    <>
      <PageHeading brand={brand}>
        {request ? t('lock_request_number', { number: request.number }) : t('lock_request')}
      </PageHeading>
      <p>
        <Link to="/officer/lock-requests">{t('back_to_lock_requests')}</Link>
      </p>
      {detail.loading && !request && <Progress />}
      {detail.error ? <LoadError error={detail.error} retry={detail.reload} /> : null}
      {request && (
        <>
          <section className="panel" aria-labelledby="lock-summary">
            <h2 id="lock-summary">{t('lock_request_summary')}</h2>
            <Facts
              items={[
                [t('lock_action'), <strong key="a">{enumLabel('lock_action', request.action, t)}</strong>],
                [t('lock_kind'), enumLabel('lock_kind', request.kind, t)],
                [t('col_state'), enumLabel('state', request.state, t)],
                [t('col_subject'), `${request.subject_name} (${request.subject_identifier})`],
                [t('lock_channel'), enumLabel('channel', request.channel, t)],
                [t('col_received'), dateTime(request.received_at)],
                [t('forwarded_at'), request.forwarded_at ? dateTime(request.forwarded_at) : undefined],
                [t('off_decided_at'), request.decided_at ? dateTime(request.decided_at) : undefined],
                [
                  t('notify_subject_after'),
                  request.notify_subject_after ? dateTime(request.notify_subject_after) : undefined,
                ],
              ]}
            />
          </section>
          {request.requester && (
            <section className="panel" aria-labelledby="lock-requester">
              <h2 id="lock-requester">{t('authority_legend')}</h2>
              <Facts
                items={[
                  [t('authority_name'), request.requester.name],
                  [t('authority_kind'), enumLabel('authority', request.requester.kind, t)],
                  [t('document_no'), request.requester.document_no],
                  [t('document_date'), date(request.requester.document_date)],
                  [t('authority_email'), request.requester.email ?? undefined],
                ]}
              />
            </section>
          )}
          <section className="panel" aria-labelledby="lock-statement">
            <h2 id="lock-statement">{t('lock_statement_title')}</h2>
            <p className="statement">{request.statement || t('none')}</p>
            {request.reasons.length > 0 && (
              <>
                <h3>{t('off_reasons_title')}</h3>
                <ul>
                  {request.reasons.map((r) => (
                    <li key={r}>{r}</li>
                  ))}
                </ul>
              </>
            )}
          </section>
          {request.due_at && (
            <section
              className={`panel deadline ${left.data ? (rowClass(left.data) ?? '') : ''}`}
              aria-labelledby="lock-due"
            >
              <h2 id="lock-due">{t('lock_step_deadline')}</h2>
              <Facts
                items={[
                  [t('deadline_rule'), t(request.state === 'forwarded' ? 'lock_rule_c06' : 'lock_rule_pc06')],
                  [t('col_due'), dateTime(request.due_at)],
                  [
                    t('col_left'),
                    left.data ? (
                      left.data.overdue ? (
                        <strong className="left-overdue" key="l">
                          {timeLeft(left.data, t)}
                        </strong>
                      ) : (
                        timeLeft(left.data, t)
                      )
                    ) : undefined,
                  ],
                  [t('off_escalated'), request.escalated ? t('off_yes') : undefined],
                ]}
              />
            </section>
          )}
          <LockDecision request={request} onDecided={detail.reload} />
          <section aria-labelledby="lock-history">
            <h2 id="lock-history">{t('off_history_title')}</h2>
            <HistoryTable rows={detail.data?.history ?? []} caption={t('off_history_caption')} me={myId} />
          </section>
          {request.decided_by && (
            <p className="hint">
              {t('off_decided_by')}: {actorLabel(`officer:${request.decided_by}`, t, myId)}
            </p>
          )}
        </>
      )}
    </>
  );
}

function LockDecision({ request, onDecided }: { request: LockRequest; onDecided(): void }) {
  const { t } = useI18n();
  const api = useOfficerApi();
  const action = useOfficerAction();
  const [draft, setDraft, clearDraft] = useDraft(`lock-decision:${request.id}`, { event: '', reasons: '' });
  const [done, setDone] = useState<string | undefined>();
  if (request.actions.length === 0) {
    return done ? (
      <p className="success" role="status">
        {done}
      </p>
    ) : null;
  }
  const event = request.actions.some((a) => a.event === draft.event) ? draft.event : request.actions[0]!.event;
  const reasons = draft.reasons
    .split('\n')
    .map((r) => r.trim())
    .filter(Boolean);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (NEEDS_REASONS.has(event) && reasons.length === 0) {
      action.fail({ reasons: t('lock_reasons_required') });
      return;
    }
    const updated = await action.run(() =>
      api.post<LockRequest>(`/api/v1/officer/lock-requests/${request.id}/decision`, {
        event,
        version: request.version,
        ...(reasons.length > 0 ? { reasons } : {}),
      }),
    );
    if (updated) {
      clearDraft();
      setDone(t('decision_done', { state: enumLabel('state', updated.state, t) }));
      onDecided();
    }
  }

  return (
    <section className="panel" aria-labelledby="lock-decision">
      <h2 id="lock-decision">{t('decision_title')}</h2>
      {done && (
        <p className="success" role="status">
          {done}
        </p>
      )}
      <form onSubmit={(e) => void submit(e)} noValidate>
        <ErrorSummary items={action.summary} />
        {action.code === 'CONFLICT' || action.code === 'LOCK_REQUEST_TRANSITION_NOT_ALLOWED' ? (
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
          options={request.actions.map((a) => ({ value: a.event, label: enumLabel('lock_decide', a.event, t) }))}
          onChange={(value) => setDraft({ ...draft, event: value })}
        />
        <TextArea
          id="reasons"
          label={t(NEEDS_REASONS.has(event) ? 'lock_reasons' : 'lock_reasons_optional')}
          hint={t('lock_reasons_hint')}
          error={action.fields.reasons}
          maxLength={5000}
          value={draft.reasons}
          onChange={(e) => setDraft({ ...draft, reasons: e.target.value })}
        />
        <p className="hint">{t('draft_kept')}</p>
        <div className="actions">
          <button type="submit" disabled={action.busy}>
            {t('decision_submit')}
          </button>
        </div>
        {action.busy && <Progress label={t('sending')} />}
      </form>
    </section>
  );
}
