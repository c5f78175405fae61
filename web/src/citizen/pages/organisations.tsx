import { useState, type FormEvent } from 'react';
import { useAuth } from '../../shared/auth.tsx';
import { ErrorSummary, TextField, type FieldErrors } from '../../shared/forms.tsx';
import { useI18n } from '../../shared/i18n.tsx';
import { PageHeading } from '../../shared/layout.tsx';
import { LoadError } from '../../shared/problem-view.tsx';
import { Progress } from '../../shared/progress.tsx';
import { useDraft } from '../../shared/use-draft.ts';
import { useNow } from '../../shared/use-now.ts';
import { useResource } from '../../shared/use-resource.ts';
import { ApplicationFacts } from '../components/application-view.tsx';
import { newIdempotencyKey, useFormAction } from '../form-action.ts';
import type { Application, ConsentRequest } from '../types.ts';

/**
 * Organisations (Decree 69/2024 Art 13.1): a legal representative with a level-2 account asks for
 * the organisation's account; every other legal representative consents (or refuses) in their own
 * app within the consent window, and the legal deadline runs from the last consent. This page shows
 * the requests waiting for my consent, my organisations' requests and the form.
 */
export function OrganisationsPage() {
  const { t, lang } = useI18n();
  const { api } = useAuth();
  const mine = useResource(
    (signal) => api.get<{ applications: Application[] }>('/api/v1/app/applications', { signal }),
    [api, lang],
  );
  const organisations = mine.data?.applications.filter((a) => a.subject_kind === 'organisation') ?? [];
  return (
    <>
      <PageHeading brand={t('brand')}>{t('cz_orgs_title')}</PageHeading>
      <ConsentRequests onAnswered={mine.reload} />
      <section className="panel" aria-labelledby="org-apps-title">
        <h2 id="org-apps-title">{t('cz_orgs_mine')}</h2>
        {mine.loading && !mine.data && <Progress />}
        {mine.error ? <LoadError error={mine.error} retry={mine.reload} /> : null}
        {mine.data &&
          (organisations.length === 0 ? (
            <p>{t('cz_orgs_mine_none')}</p>
          ) : (
            <ul className="cards">
              {organisations.map((a) => (
                <li key={a.id}>
                  <article aria-labelledby={`org-app-${a.id}`}>
                    <h3 id={`org-app-${a.id}`}>{a.subject_name}</h3>
                    <ApplicationFacts application={a} />
                    {a.state === 'awaiting_consent' && <p className="hint">{t('cz_orgs_waiting_note')}</p>}
                  </article>
                </li>
              ))}
            </ul>
          ))}
      </section>
      <RequestForm onFiled={mine.reload} />
    </>
  );
}

// --- consent requests --------------------------------------------------------------------------

export function ConsentRequests({ onAnswered }: { onAnswered?: () => void }) {
  const { t, lang } = useI18n();
  const { api } = useAuth();
  const list = useResource(
    (signal) => api.get<{ requests: ConsentRequest[] }>('/api/v1/app/consent-requests', { signal }),
    [api, lang],
  );
  const [answered, setAnswered] = useState<string | undefined>();
  return (
    <section className="panel" aria-labelledby="consent-requests-title">
      <h2 id="consent-requests-title">{t('cz_consent_requests_title')}</h2>
      {answered && (
        <p className="success" role="status">
          {answered}
        </p>
      )}
      {list.loading && !list.data && <Progress />}
      {list.error ? <LoadError error={list.error} retry={list.reload} /> : null}
      {list.data &&
        (list.data.requests.length === 0 ? (
          <p>{t('cz_consent_requests_none')}</p>
        ) : (
          <ul className="cards">
            {list.data.requests.map((r) => (
              <li key={r.application_id}>
                <ConsentRequestItem
                  request={r}
                  onAnswered={(message) => {
                    setAnswered(message);
                    list.reload();
                    onAnswered?.();
                  }}
                />
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}

/** "2 days 3 hours left", "45 minutes left", from the consent window's end. */
function TimeLeft({ until }: { until: string }) {
  const { t } = useI18n();
  const now = useNow(true);
  const ms = Date.parse(until) - now;
  if (ms <= 0) return <span className="left-overdue">{t('cz_window_closed')}</span>;
  const minutes = Math.ceil(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const text =
    days > 0
      ? t('cz_left_days', { days, hours })
      : hours > 0
        ? t('cz_left_hours', { hours, minutes: minutes % 60 })
        : t('cz_left_minutes', { minutes });
  return <span className={days === 0 ? 'left-overdue' : undefined}>{text}</span>;
}

function ConsentRequestItem({ request: r, onAnswered }: { request: ConsentRequest; onAnswered(m: string): void }) {
  const { t, dateTime } = useI18n();
  const { api } = useAuth();
  const action = useFormAction();
  async function answer(decision: 'consent' | 'refuse') {
    if (decision === 'refuse' && !window.confirm(t('cz_refuse_org_confirm', { organisation: r.organisation }))) return;
    const done = await action.run(() =>
      api.post<Application>(`/api/v1/app/consent-requests/${r.application_id}`, { decision }),
    );
    if (done) {
      onAnswered(
        t(decision === 'consent' ? 'cz_consented' : 'cz_consent_refused', {
          organisation: r.organisation,
          state: done.state === 'approved' ? t('cz_org_now_approved') : '',
        }).trim(),
      );
    }
  }
  return (
    <article aria-labelledby={`consent-${r.application_id}`}>
      <h3 id={`consent-${r.application_id}`}>{r.organisation}</h3>
      <ErrorSummary items={action.summary} />
      <dl className="facts">
        <dt>{t('cz_app_number')}</dt>
        <dd>{r.number}</dd>
        <dt>{t('cz_requested_by')}</dt>
        <dd>{r.requested_by ?? t('none')}</dd>
        {r.due_at && (
          <>
            <dt>{t('cz_consent_due')}</dt>
            <dd>
              {dateTime(r.due_at)} (<TimeLeft until={r.due_at} />)
            </dd>
          </>
        )}
      </dl>
      <p>{t('cz_consent_explain')}</p>
      <div className="actions">
        <button type="button" onClick={() => answer('consent')} disabled={action.busy}>
          {t('cz_consent')}
        </button>
        <button type="button" className="button-secondary" onClick={() => answer('refuse')} disabled={action.busy}>
          {t('cz_refuse')}
        </button>
      </div>
      {action.busy && <Progress label={t('sending')} />}
    </article>
  );
}

// --- the request ---------------------------------------------------------------------------------

function RequestForm({ onFiled }: { onFiled(): void }) {
  const { t } = useI18n();
  const { api } = useAuth();
  const action = useFormAction();
  const [draft, setDraft, clearDraft] = useDraft('organisation', { enterprise_code: '', email: '', key: '' });
  const [result, setResult] = useState<Application | undefined>();
  async function submit(event: FormEvent) {
    event.preventDefault();
    const code = draft.enterprise_code.replace(/\s/g, '');
    const wrong: FieldErrors = {};
    if (!/^\d{10}(-\d{3})?$/.test(code)) wrong.enterprise_code = t('cz_enterprise_code_invalid');
    if (Object.keys(wrong).length > 0) return action.fail(wrong);
    const key = draft.key || newIdempotencyKey();
    if (!draft.key) setDraft({ ...draft, key });
    const application = await action.run(() =>
      api.post<Application>(
        '/api/v1/app/applications/organisations',
        { enterprise_code: code, email: draft.email.trim() || null },
        { headers: { 'idempotency-key': key } },
      ),
    );
    if (application) {
      clearDraft();
      setResult(application);
      onFiled();
    }
  }
  return (
    <form className="panel" onSubmit={submit} noValidate aria-labelledby="org-form-title">
      <h2 id="org-form-title">{t('cz_org_form_title')}</h2>
      {result && (
        <div className="success" role="status">
          <p>
            {result.state === 'awaiting_consent'
              ? t('cz_org_filed_waiting', { number: result.number })
              : t('cz_org_filed', { number: result.number })}
          </p>
        </div>
      )}
      {result && result.reasons.length > 0 && <ApplicationFacts application={result} />}
      <ErrorSummary items={action.summary} />
      <p>{t('cz_org_intro')}</p>
      <TextField
        id="enterprise_code"
        label={t('cz_enterprise_code')}
        hint={t('cz_enterprise_code_hint')}
        error={action.fields.enterprise_code}
        inputMode="numeric"
        autoComplete="off"
        maxLength={14}
        value={draft.enterprise_code}
        onChange={(e) => setDraft({ ...draft, enterprise_code: e.target.value })}
      />
      <TextField
        id="email"
        label={t('cz_org_email')}
        error={action.fields.email}
        type="email"
        maxLength={254}
        value={draft.email}
        onChange={(e) => setDraft({ ...draft, email: e.target.value })}
      />
      <button type="submit" disabled={action.busy}>
        {t('cz_org_submit')}
      </button>
      {action.busy && <Progress label={t('cz_checking_application')} />}
    </form>
  );
}
