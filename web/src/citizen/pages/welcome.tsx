import { useState } from 'react';
import { useAuth, type Notice } from '../../shared/auth.tsx';
import { useI18n, type Translate } from '../../shared/i18n.tsx';
import { PageHeading } from '../../shared/layout.tsx';
import { Progress } from '../../shared/progress.tsx';
import { Link } from '../../shared/router.tsx';

/** What the sign-in page says first, after a lock, an unlock, an expired session or a failure. */
function noticeText(notice: Notice | undefined, failure: string | undefined, t: Translate) {
  switch (notice) {
    case 'locked':
      return { title: t('locked_done_title'), body: t('locked_done_body'), button: t('sign_in_restricted') };
    case 'unlocked':
      return { title: t('unlocked_title'), body: t('unlocked_body'), button: t('sign_in') };
    case 'expired':
      return { title: t('welcome_title'), body: t('session_expired'), button: t('sign_in') };
    case 'cancelled':
      return { title: t('welcome_title'), body: t('sign_in_cancelled'), button: t('sign_in') };
    case 'failed':
      return { title: t('welcome_title'), body: t('sign_in_failed', { reason: failure ?? '' }), button: t('sign_in') };
    default:
      return { title: t('welcome_title'), body: undefined, button: t('sign_in') };
  }
}

export function WelcomePage() {
  const { t } = useI18n();
  const auth = useAuth();
  const [leaving, setLeaving] = useState(false);
  const text = noticeText(auth.notice, auth.failure, t);
  const afterLockChange = auth.notice === 'locked' || auth.notice === 'unlocked';
  function go() {
    setLeaving(true);
    auth.signIn(afterLockChange ? '/' : undefined);
  }
  return (
    <>
      <PageHeading brand={t('brand')}>{text.title}</PageHeading>
      {text.body && (
        <p className={auth.notice === 'unlocked' ? 'success' : 'notice notice-warning'} role="status">
          {text.body}
        </p>
      )}
      <div className="panel">
        <p>{t('welcome_intro')}</p>
        <button type="button" onClick={go} disabled={leaving}>
          {text.button}
        </button>
        {leaving && <Progress label={t('signing_in')} />}
      </div>
      <section className="panel" aria-labelledby="no-account-title">
        <h2 id="no-account-title">{t('cz_welcome_no_account')}</h2>
        <ul className="quick-links">
          <li>
            <Link to="/register">{t('cz_welcome_register')}</Link>
          </li>
          <li>
            <Link to="/activate">{t('cz_welcome_activate')}</Link>
          </li>
          <li>
            <Link to="/track">{t('cz_welcome_track')}</Link>
          </li>
        </ul>
      </section>
    </>
  );
}
