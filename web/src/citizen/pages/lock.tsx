import { useState, type FormEvent } from 'react';
import { useAuth } from '../../shared/auth.tsx';
import {
  Checkbox,
  ErrorSummary,
  PasscodeField,
  passcodeError,
  useAction,
  type FieldErrors,
} from '../../shared/forms.tsx';
import { useI18n } from '../../shared/i18n.tsx';
import { PageHeading } from '../../shared/layout.tsx';
import { Progress } from '../../shared/progress.tsx';

/**
 * The holder locks their own identity (Law on Identification Art 34 case a): at once, with the
 * passcode. Every session ends, this app's included, so the app forgets its tokens and offers to
 * sign in to the restricted view, from which the passcode unlocks.
 */
export function LockPage() {
  const { t } = useI18n();
  const { api, endLocally } = useAuth();
  const action = useAction();
  const [passcode, setPasscode] = useState('');
  const [confirmed, setConfirmed] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const wrong: FieldErrors = {};
    const passcodeWrong = passcodeError(passcode, t);
    if (passcodeWrong) wrong.passcode = passcodeWrong;
    if (!confirmed) wrong.confirm = t('lock_confirm_required');
    if (Object.keys(wrong).length > 0) return action.fail(wrong);
    const done = await action.run(() => api.post('/api/v1/app/locks', { passcode }));
    setPasscode('');
    if (done) endLocally('locked');
  }

  return (
    <>
      <PageHeading brand={t('brand')}>{t('lock_title')}</PageHeading>
      <form className="panel" onSubmit={submit} noValidate>
        <ErrorSummary items={action.summary} />
        <p className="notice notice-warning">{t('lock_intro')}</p>
        <PasscodeField value={passcode} onChange={setPasscode} error={action.fields.passcode} />
        <Checkbox
          id="confirm"
          label={t('lock_confirm_label')}
          checked={confirmed}
          onChange={(e) => setConfirmed(e.target.checked)}
          error={action.fields.confirm}
        />
        <button type="submit" disabled={action.busy}>
          {t('lock_submit')}
        </button>
        {action.busy && <Progress label={t('locking')} />}
      </form>
    </>
  );
}
