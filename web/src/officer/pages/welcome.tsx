import { useState } from 'react';
import { useAuth } from '../../shared/auth.tsx';
import { useI18n } from '../../shared/i18n.tsx';
import { PageHeading } from '../../shared/layout.tsx';
import { Progress } from '../../shared/progress.tsx';

export function OfficerWelcome({ brand }: { brand: string }) {
  const { t } = useI18n();
  const auth = useAuth();
  const [leaving, setLeaving] = useState(false);
  const notice =
    auth.notice === 'expired'
      ? t('session_expired')
      : auth.notice === 'cancelled'
        ? t('sign_in_cancelled')
        : auth.notice === 'failed'
          ? t('sign_in_failed', { reason: auth.failure ?? '' })
          : undefined;
  return (
    <>
      <PageHeading brand={brand}>{t('officer_welcome_title')}</PageHeading>
      {notice && (
        <p className="notice notice-warning" role="status">
          {notice}
        </p>
      )}
      <div className="panel">
        <p>{t('officer_welcome_intro')}</p>
        <button
          type="button"
          disabled={leaving}
          onClick={() => {
            setLeaving(true);
            auth.signIn();
          }}
        >
          {t('sign_in')}
        </button>
        {leaving && <Progress label={t('signing_in')} />}
      </div>
    </>
  );
}
