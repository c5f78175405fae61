import { useState, type FormEvent } from 'react';
import { useAuth } from '../../shared/auth.tsx';
import { ErrorSummary, TextField, type FieldErrors } from '../../shared/forms.tsx';
import { useI18n } from '../../shared/i18n.tsx';
import { enumLabel } from '../../shared/labels.ts';
import { PageHeading } from '../../shared/layout.tsx';
import { LoadError } from '../../shared/problem-view.tsx';
import { Progress } from '../../shared/progress.tsx';
import { Link } from '../../shared/router.tsx';
import { useDraft } from '../../shared/use-draft.ts';
import { useResource } from '../../shared/use-resource.ts';
import { ApplicationFacts } from '../components/application-view.tsx';
import { FaceCapture, faceProblem, type FaceValue } from '../components/face-capture.tsx';
import { SexField } from '../components/sex-field.tsx';
import { newIdempotencyKey, useFormAction } from '../form-action.ts';
import type { Application, Confirmation, Dependant } from '../types.ts';

/**
 * A representative's dependants (Decree 69/2024 Art 10.1(b)): the requests of their accounts
 * waiting for confirmation (a child signing in to a service waits until the parent confirms here),
 * the persons represented today with the day the representation ends (at 14 the child takes the
 * account over), and the registration of a child under 14.
 */
export function DependantsPage() {
  const { t } = useI18n();
  return (
    <>
      <PageHeading brand={t('brand')}>{t('cz_dependants_title')}</PageHeading>
      <Confirmations />
      <DependantList />
      <RegisterChild />
    </>
  );
}

// --- confirmations -----------------------------------------------------------------------------

export function Confirmations({ headingLevel = 2 }: { headingLevel?: 2 | 3 }) {
  const { t, lang } = useI18n();
  const { api } = useAuth();
  const list = useResource(
    (signal) => api.get<{ confirmations: Confirmation[] }>('/api/v1/app/confirmations', { signal }),
    [api, lang],
  );
  const [answered, setAnswered] = useState<string | undefined>();
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <section className="panel" aria-labelledby="confirmations-title">
      <Heading id="confirmations-title">{t('cz_confirmations_title')}</Heading>
      {answered && (
        <p className="success" role="status">
          {answered}
        </p>
      )}
      {list.loading && !list.data && <Progress />}
      {list.error ? <LoadError error={list.error} retry={list.reload} /> : null}
      {list.data &&
        (list.data.confirmations.length === 0 ? (
          <p>{t('cz_confirmations_none')}</p>
        ) : (
          <ul className="cards">
            {list.data.confirmations.map((c) => (
              <li key={c.id}>
                <ConfirmationItem
                  confirmation={c}
                  onDecided={(message) => {
                    setAnswered(message);
                    list.reload();
                  }}
                />
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}

/** The link holds until the day before `valid_until` (the 14th birthday itself is the hand-over). */
function dayBefore(civil: string): string {
  const d = new Date(`${civil}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function ConfirmationItem({ confirmation: c, onDecided }: { confirmation: Confirmation; onDecided(m: string): void }) {
  const { t, lang, dateTime } = useI18n();
  const { api } = useAuth();
  const action = useFormAction();
  const name = c.dependant_name ?? t('cz_dependant_unnamed');
  const service = (lang === 'en' ? str(c.detail.client_name_en) : undefined) ?? str(c.detail.client_name);
  const what =
    c.action === 'sign_in' && service
      ? t('cz_confirm_sign_in_to', { name, service })
      : t('cz_confirm_action', { name, action: enumLabel('cz_action', c.action, t) });
  async function decide(decision: 'confirm' | 'refuse') {
    const done = await action.run(() =>
      api.post<Confirmation>(`/api/v1/app/confirmations/${c.id}/decision`, { decision, version: c.version }),
    );
    if (done) onDecided(t(decision === 'confirm' ? 'cz_confirmed' : 'cz_refused', { name }));
  }
  return (
    <article aria-labelledby={`confirmation-${c.id}`} className="confirmation">
      <h3 id={`confirmation-${c.id}`}>{what}</h3>
      <ErrorSummary items={action.summary} />
      <p className="hint">
        {t('cz_confirm_requested', { time: dateTime(c.requested_at) })}{' '}
        {t('cz_confirm_expires', { time: dateTime(c.expires_at) })}
      </p>
      <p>{t('cz_confirm_explain')}</p>
      <div className="actions">
        <button type="button" onClick={() => decide('confirm')} disabled={action.busy}>
          {t('cz_confirm')}
        </button>
        <button type="button" className="button-secondary" onClick={() => decide('refuse')} disabled={action.busy}>
          {t('cz_refuse')}
        </button>
      </div>
      {action.busy && <Progress label={t('sending')} />}
    </article>
  );
}

// --- dependants --------------------------------------------------------------------------------

function DependantList() {
  const { t, lang, date } = useI18n();
  const { api } = useAuth();
  const list = useResource(
    (signal) => api.get<{ dependants: Dependant[] }>('/api/v1/app/dependants', { signal }),
    [api, lang],
  );
  return (
    <section className="panel" aria-labelledby="dependants-list-title">
      <h2 id="dependants-list-title">{t('cz_dependants_list')}</h2>
      {list.loading && !list.data && <Progress />}
      {list.error ? <LoadError error={list.error} retry={list.reload} /> : null}
      {list.data &&
        (list.data.dependants.length === 0 ? (
          <p>{t('cz_dependants_none')}</p>
        ) : (
          <ul className="cards">
            {list.data.dependants.map((d) => {
              const name = d.full_name ?? t('cz_dependant_unnamed');
              return (
                <li key={d.link_id}>
                  <article aria-labelledby={`dependant-${d.link_id}`}>
                    <h3 id={`dependant-${d.link_id}`}>{name}</h3>
                    <dl className="facts">
                      <dt>{t('cz_basis')}</dt>
                      <dd>{enumLabel('cz_basis', d.basis, t)}</dd>
                      <dt>{t('cz_valid_from')}</dt>
                      <dd>{date(d.valid_from)}</dd>
                      <dt>{t('cz_valid_until')}</dt>
                      <dd>{d.valid_until ? date(dayBefore(d.valid_until)) : t('cz_no_end')}</dd>
                    </dl>
                    {d.valid_until && d.basis === 'parent' && (
                      <p className="notice">{t('cz_handover_notice', { name, date: date(d.valid_until) })}</p>
                    )}
                  </article>
                </li>
              );
            })}
          </ul>
        ))}
    </section>
  );
}

// --- register a child ----------------------------------------------------------------------------

interface ChildDraft {
  pin: string;
  full_name: string;
  date_of_birth: string;
  sex: '' | 'male' | 'female';
  email: string;
  key: string;
}

const EMPTY: ChildDraft = { pin: '', full_name: '', date_of_birth: '', sex: '', email: '', key: '' };

function RegisterChild() {
  const { t } = useI18n();
  const { api } = useAuth();
  const action = useFormAction();
  const [draft, setDraft, clearDraft] = useDraft<ChildDraft>('dependant', EMPTY);
  // The answer stays until the person leaves the page; the application is in "My applications".
  const [result, setResult] = useState<{ application: Application; pin: string } | null>(null);
  const [face, setFace] = useState<FaceValue | undefined>();
  const set = <K extends keyof ChildDraft>(key: K, value: ChildDraft[K]) => setDraft({ ...draft, [key]: value });

  async function submit(event: FormEvent) {
    event.preventDefault();
    const wrong: FieldErrors = {};
    const pin = draft.pin.replace(/\s/g, '');
    if (!/^\d{12}$/.test(pin)) wrong.pin = t('cz_pin_format');
    if (!draft.full_name.trim()) wrong.full_name = t('cz_name_required');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(draft.date_of_birth)) wrong.date_of_birth = t('cz_date_invalid');
    const faceWrong = faceProblem(face, false, t);
    if (faceWrong) wrong.face = faceWrong;
    if (Object.keys(wrong).length > 0) return action.fail(wrong);
    const key = draft.key || newIdempotencyKey();
    if (!draft.key) setDraft({ ...draft, key });
    const application = await action.run(() =>
      api.post<Application>(
        '/api/v1/app/applications/dependants',
        {
          pin,
          full_name: draft.full_name.trim(),
          date_of_birth: draft.date_of_birth,
          ...(draft.sex ? { sex: draft.sex } : {}),
          email: draft.email.trim() || null,
          face: face?.base64 ?? null,
        },
        { headers: { 'idempotency-key': key } },
      ),
    );
    if (application) {
      clearDraft();
      setFace(undefined);
      setResult({ application, pin });
    }
  }

  if (result) {
    const approved = result.application.state === 'approved';
    return (
      <section className="panel" aria-labelledby="child-result-title">
        <h2 id="child-result-title">
          {approved ? t('cz_child_approved', { name: result.application.subject_name }) : t('cz_register_not_approved')}
        </h2>
        {approved && (
          <p className="success" role="status">
            {t('cz_child_approved_body')}
          </p>
        )}
        <ApplicationFacts application={result.application} />
        <div className="actions">
          {approved && (
            <Link className="button" to={`/activate?identifier=${encodeURIComponent(result.pin)}`}>
              {t('cz_child_activate')}
            </Link>
          )}
          <button type="button" className="button-secondary" onClick={() => setResult(null)}>
            {t('cz_register_another')}
          </button>
        </div>
      </section>
    );
  }

  return (
    <form className="panel" onSubmit={submit} noValidate aria-labelledby="child-title">
      <h2 id="child-title">{t('cz_child_title')}</h2>
      <ErrorSummary items={action.summary} />
      <p>{t('cz_child_intro')}</p>
      <p className="hint">{t('draft_kept')}</p>
      <TextField
        id="pin"
        label={t('cz_child_pin')}
        hint={t('cz_child_pin_hint')}
        error={action.fields.pin}
        inputMode="numeric"
        autoComplete="off"
        maxLength={14}
        value={draft.pin}
        onChange={(e) => set('pin', e.target.value)}
      />
      <TextField
        id="full_name"
        label={t('cz_child_name')}
        hint={t('cz_name_hint')}
        error={action.fields.full_name}
        autoComplete="off"
        maxLength={200}
        value={draft.full_name}
        onChange={(e) => set('full_name', e.target.value)}
      />
      <TextField
        id="date_of_birth"
        label={t('card_dob')}
        error={action.fields.date_of_birth}
        type="date"
        value={draft.date_of_birth}
        onChange={(e) => set('date_of_birth', e.target.value)}
      />
      <SexField value={draft.sex} onChange={(sex) => set('sex', sex)} error={action.fields.sex} />
      <TextField
        id="email"
        label={t('cz_email_optional')}
        error={action.fields.email}
        type="email"
        autoComplete="off"
        maxLength={254}
        value={draft.email}
        onChange={(e) => set('email', e.target.value)}
      />
      <FaceCapture
        id="face"
        label={t('cz_child_face')}
        hint={t('cz_child_face_hint')}
        value={face}
        onChange={setFace}
        error={action.fields.face}
      />
      <button type="submit" disabled={action.busy}>
        {t('cz_child_submit')}
      </button>
      {action.busy && <Progress label={t('cz_checking_application')} />}
    </form>
  );
}
