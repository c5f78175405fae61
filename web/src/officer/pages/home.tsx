import { useI18n } from '../../shared/i18n.tsx';
import { PageHeading } from '../../shared/layout.tsx';
import { Progress } from '../../shared/progress.tsx';
import { Link } from '../../shared/router.tsx';
import { useOfficer } from '../context.tsx';
import { MENU } from '../menu.ts';
import { QueuePage } from './queue.tsx';

/**
 * The console's start: the unit's queue for those who receive and decide applications; for the
 * others (call centre, administrators) the pages their role opens.
 */
export function OfficerHome({ brand }: { brand: string }) {
  const { t } = useI18n();
  const { me, roles, unit } = useOfficer();
  if (me.loading && !me.data) return <Progress />;
  if (roles.has('RECEIVER') || roles.has('APPROVER') || me.error) return <QueuePage brand={brand} />;
  const pages = MENU.filter((m) => m.to !== '/officer/' && m.allowed(roles, unit));
  return (
    <>
      <PageHeading brand={brand}>{t('officer_home_title')}</PageHeading>
      <p>{t('officer_home_intro')}</p>
      <ul className="quick-links">
        {pages.map((p) => (
          <li key={p.to}>
            <Link to={p.to}>{t(p.key)}</Link>
          </li>
        ))}
      </ul>
    </>
  );
}
