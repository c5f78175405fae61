import { useAuth } from '../../shared/auth.tsx';
import { useI18n } from '../../shared/i18n.tsx';
import { enumLabel } from '../../shared/labels.ts';
import { PageHeading } from '../../shared/layout.tsx';
import { LoadError } from '../../shared/problem-view.tsx';
import { Progress } from '../../shared/progress.tsx';
import { Link } from '../../shared/router.tsx';
import { useResource } from '../../shared/use-resource.ts';
import { NoticeList } from '../components/notices.tsx';
import { PendingActions } from '../components/pending.tsx';
import type { Me } from '../types.ts';

/** Home: the account at a glance, the services, and the notifications. */
export function HomePage() {
  const { t, lang } = useI18n();
  const { api } = useAuth();
  const me = useResource((signal) => api.get<Me>('/api/v1/app/me', { signal }), [api, lang]);
  if (me.loading && !me.data) return <Progress />;
  if (me.error || !me.data) return <LoadError error={me.error} retry={me.reload} />;
  return (
    <>
      <PageHeading brand={t('brand')}>{t('home_title', { name: me.data.full_name })}</PageHeading>
      <PendingActions />
      <div className="columns">
        <section className="panel" aria-labelledby="account-title">
          <h2 id="account-title">{t('account_summary')}</h2>
          <AccountFacts me={me.data} />
        </section>
        <section className="panel" aria-labelledby="services-title">
          <h2 id="services-title">{t('quick_actions')}</h2>
          <ul className="quick-links">
            <li>
              <Link to="/card">{t('nav_card')}</Link>
            </li>
            <li>
              <Link to="/applications">{t('cz_nav_applications')}</Link>
            </li>
            <li>
              <Link to="/dependants">{t('cz_nav_dependants')}</Link>
            </li>
            <li>
              <Link to="/organisations">{t('cz_nav_organisations')}</Link>
            </li>
            <li>
              <Link to="/consents">{t('cz_nav_consents')}</Link>
            </li>
            <li>
              <Link to="/history">{t('cz_nav_history')}</Link>
            </li>
            <li>
              <Link to="/lock">{t('nav_lock')}</Link>
            </li>
          </ul>
        </section>
      </div>
      <section className="panel" aria-labelledby="notices-title">
        <h2 id="notices-title">{t('notices_title')}</h2>
        <NoticeList />
      </section>
    </>
  );
}

function AccountFacts({ me }: { me: Me }) {
  const { t, dateTime } = useI18n();
  return (
    <dl className="facts">
      <dt>{t('account_level')}</dt>
      <dd>{me.level ? t('level_n', { n: me.level }) : t('level_none')}</dd>
      <dt>{t('account_status')}</dt>
      <dd>{enumLabel('status', me.status, t)}</dd>
      <dt>{t('account_phone')}</dt>
      <dd>{me.phone ?? t('none')}</dd>
      <dt>{t('account_email')}</dt>
      <dd>{me.email ?? t('none')}</dd>
      <dt>{t('account_activated')}</dt>
      <dd>{me.activated_at ? dateTime(me.activated_at) : t('none')}</dd>
    </dl>
  );
}
