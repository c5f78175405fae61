import { useState, type FormEvent } from 'react';
import { useAuth } from '../../shared/auth.tsx';
import { ErrorSummary, TextField, type FieldErrors } from '../../shared/forms.tsx';
import { useI18n } from '../../shared/i18n.tsx';
import { PageHeading } from '../../shared/layout.tsx';
import { Progress } from '../../shared/progress.tsx';
import { Link } from '../../shared/router.tsx';
import { useDraft } from '../../shared/use-draft.ts';
import { ApplicationFacts } from '../components/application-view.tsx';
import { FaceCapture, faceProblem, type FaceValue } from '../components/face-capture.tsx';
import { SexField } from '../components/sex-field.tsx';
import { newIdempotencyKey, useFormAction } from '../form-action.ts';
import type { Application } from '../types.ts';

/**
 * Registration of a level-1 account in the app (Decree 69/2024 Art 10.1(a)), public: a citizen of
 * 14 or more with a valid ID card and a phone in their own name. Checked at once against the
 * registries and the portrait on record; the answer is the application with its number, state and
 * legal deadline, and every reason of a refusal in words. What the person typed is kept as a draft;
 * the portrait is not (it is taken again after a reload).
 */

interface Draft {
  pin: string;
  full_name: string;
  date_of_birth: string;
  sex: '' | 'male' | 'female';
  phone: string;
  email: string;
  /** One per submission: a retry after a lost answer returns the same application. */
  key: string;
}

const EMPTY: Draft = { pin: '', full_name: '', date_of_birth: '', sex: '', phone: '', email: '', key: '' };

export function RegisterPage() {
  const { t } = useI18n();
  const [result, setResult, clearResult] = useDraft<Application | null>('register:result', null);
  const [pin, setPin] = useDraft('register:pin', '');
  return (
    <>
      <PageHeading brand={t('brand')}>{t('cz_register_title')}</PageHeading>
      {result ? (
        <RegisterResult application={result} pin={pin} onAgain={clearResult} />
      ) : (
        <RegisterForm
          onResult={(application, filedPin) => {
            setPin(filedPin);
            setResult(application);
          }}
        />
      )}
    </>
  );
}

function RegisterForm({ onResult }: { onResult(application: Application, pin: string): void }) {
  const { t } = useI18n();
  const { api } = useAuth();
  const action = useFormAction();
  const [draft, setDraft, clearDraft] = useDraft<Draft>('register', EMPTY);
  const [face, setFace] = useState<FaceValue | undefined>();
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft({ ...draft, [key]: value });

  async function submit(event: FormEvent) {
    event.preventDefault();
    const wrong: FieldErrors = {};
    const pin = draft.pin.replace(/\s/g, '');
    if (!/^\d{12}$/.test(pin)) wrong.pin = t('cz_pin_format');
    if (!draft.full_name.trim()) wrong.full_name = t('cz_name_required');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(draft.date_of_birth)) wrong.date_of_birth = t('cz_date_invalid');
    if (!/^(\+?84|0)\d{9}$/.test(draft.phone.replace(/[\s.-]/g, ''))) wrong.phone = t('cz_phone_invalid');
    const faceWrong = faceProblem(face, true, t);
    if (faceWrong) wrong.face = faceWrong;
    if (Object.keys(wrong).length > 0) return action.fail(wrong);
    const key = draft.key || newIdempotencyKey();
    if (!draft.key) setDraft({ ...draft, key });
    const application = await action.run(() =>
      api.post<Application>(
        '/api/v1/public/applications/citizen-level1',
        {
          pin,
          full_name: draft.full_name.trim(),
          date_of_birth: draft.date_of_birth,
          ...(draft.sex ? { sex: draft.sex } : {}),
          phone: draft.phone.replace(/[\s.-]/g, ''),
          email: draft.email.trim() || null,
          face: face!.base64,
        },
        { headers: { 'idempotency-key': key } },
      ),
    );
    if (application) {
      clearDraft();
      onResult(application, pin);
    }
  }

  return (
    <form className="panel" onSubmit={submit} noValidate>
      <ErrorSummary items={action.summary} />
      <p>{t('cz_register_intro')}</p>
      <p className="hint">{t('draft_kept')}</p>
      <TextField
        id="pin"
        label={t('card_pin')}
        hint={t('cz_pin_hint')}
        error={action.fields.pin}
        inputMode="numeric"
        autoComplete="off"
        maxLength={14}
        value={draft.pin}
        onChange={(e) => set('pin', e.target.value)}
      />
      <TextField
        id="full_name"
        label={t('card_full_name')}
        hint={t('cz_name_hint')}
        error={action.fields.full_name}
        autoComplete="name"
        maxLength={200}
        value={draft.full_name}
        onChange={(e) => set('full_name', e.target.value)}
      />
      <TextField
        id="date_of_birth"
        label={t('card_dob')}
        error={action.fields.date_of_birth}
        type="date"
        autoComplete="bday"
        value={draft.date_of_birth}
        onChange={(e) => set('date_of_birth', e.target.value)}
      />
      <SexField value={draft.sex} onChange={(sex) => set('sex', sex)} error={action.fields.sex} />
      <TextField
        id="phone"
        label={t('account_phone')}
        hint={t('cz_phone_hint')}
        error={action.fields.phone}
        type="tel"
        inputMode="tel"
        autoComplete="tel"
        maxLength={20}
        value={draft.phone}
        onChange={(e) => set('phone', e.target.value)}
      />
      <TextField
        id="email"
        label={t('cz_email_optional')}
        error={action.fields.email}
        type="email"
        autoComplete="email"
        maxLength={254}
        value={draft.email}
        onChange={(e) => set('email', e.target.value)}
      />
      <FaceCapture id="face" label={t('cz_face_label')} value={face} onChange={setFace} error={action.fields.face} />
      <button type="submit" disabled={action.busy}>
        {t('cz_register_submit')}
      </button>
      {action.busy && <Progress label={t('cz_checking_application')} />}
    </form>
  );
}

function RegisterResult({ application, pin, onAgain }: { application: Application; pin: string; onAgain(): void }) {
  const { t } = useI18n();
  const approved = application.state === 'approved';
  return (
    <section className="panel" aria-labelledby="result-title">
      <h2 id="result-title">{approved ? t('cz_register_approved') : t('cz_register_not_approved')}</h2>
      {approved && (
        <p className="success" role="status">
          {t('cz_register_approved_body')}
        </p>
      )}
      <ApplicationFacts application={application} />
      <div className="actions">
        {approved && (
          <Link className="button" to={`/activate?identifier=${encodeURIComponent(pin)}`}>
            {t('cz_activate_now')}
          </Link>
        )}
        <button type="button" className="button-secondary" onClick={onAgain}>
          {approved ? t('cz_register_another') : t('cz_register_again')}
        </button>
      </div>
    </section>
  );
}
