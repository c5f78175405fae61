import type { ReactNode } from 'react';
import { AuthProvider, useAuth } from '../shared/auth.tsx';
import { useI18n } from '../shared/i18n.tsx';
import { Layout, type NavItem } from '../shared/layout.tsx';
import { NotFound } from '../shared/not-found.tsx';
import { LoadError } from '../shared/problem-view.tsx';
import { Progress } from '../shared/progress.tsx';
import { usePath } from '../shared/router.tsx';
import { OfficerProvider, useOfficer } from './context.tsx';
import './officer.css';
import { ApplicationPage } from './pages/application.tsx';
import { CallCentrePage } from './pages/call-centre.tsx';
import { HolidaysPage } from './pages/holidays.tsx';
import { OfficerHome } from './pages/home.tsx';
import { CitizenIntakePage } from './pages/intake-citizen.tsx';
import { ForeignerIntakePage } from './pages/intake-foreigner.tsx';
import { OrganisationIntakePage } from './pages/intake-organisation.tsx';
import { LockIntakePage } from './pages/lock-intake.tsx';
import { LockRequestPage } from './pages/lock-request.tsx';
import { LockRequestsPage } from './pages/lock-requests.tsx';
import { QueuePage } from './pages/queue.tsx';
import { ReportPage } from './pages/report.tsx';
import { OfficerWelcome } from './pages/welcome.tsx';
import { OFFICER_SETTINGS } from './settings.ts';
import { MENU } from './menu.ts';

export const OFFICER = OFFICER_SETTINGS;

export function OfficerApp() {
  return (
    <AuthProvider settings={OFFICER_SETTINGS}>
      <OfficerProvider>
        <OfficerShell />
      </OfficerProvider>
    </AuthProvider>
  );
}

function OfficerShell() {
  const { t } = useI18n();
  const auth = useAuth();
  const officer = useOfficer();
  const brand = `${t('officer_brand')} – ${t('brand')}`;
  const nav: NavItem[] | undefined = auth.session
    ? MENU.filter((m) => m.allowed(officer.roles, officer.unit)).map((m) => ({ to: m.to, label: t(m.key) }))
    : undefined;
  return (
    <Layout
      brand={t('officer_brand')}
      home="/officer/"
      nav={nav}
      user={auth.session?.name}
      onSignOut={auth.session ? auth.signOut : undefined}
    >
      {auth.session && !auth.completing && <UnitPicker />}
      <OfficerRoutes brand={brand} />
    </Layout>
  );
}

/** The unit the console works for: a choice when the officer acts for several. */
function UnitPicker() {
  const { t } = useI18n();
  const { me, units, unit, setUnit, roles } = useOfficer();
  if (me.loading && !me.data) return null;
  if (me.error) return <LoadError error={me.error} retry={me.reload} />;
  if (!unit) return <p className="notice notice-warning">{t('unit_none')}</p>;
  const roleText = [...roles].map((r) => t(`role_${r}`)).join(', ');
  return (
    <div className="unit-bar">
      {units.length > 1 ? (
        <>
          <label htmlFor="unit-picker">{t('unit_label')}</label>
          <select id="unit-picker" value={unit.id} onChange={(e) => setUnit(e.target.value)}>
            {units.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </>
      ) : (
        <p>
          <span className="unit-bar-label">{t('unit_label')}:</span> {unit.name}
        </p>
      )}
      <p className="unit-bar-roles">{t('unit_roles', { roles: roleText })}</p>
    </div>
  );
}

/** `/officer/applications/:id` → ['applications', id]. */
function segments(path: string): string[] {
  return path
    .replace(/^\/officer\/?/, '')
    .split('/')
    .filter(Boolean)
    .map(decodeURIComponent);
}

function OfficerRoutes({ brand }: { brand: string }) {
  const { t } = useI18n();
  const auth = useAuth();
  const path = usePath();
  if (auth.completing) return <Progress label={t('signing_in')} />;
  if (!auth.session) return <OfficerWelcome brand={brand} />;
  const [first, second, third] = segments(path);
  let page: ReactNode;
  switch (first) {
    case undefined:
      page = <OfficerHome brand={brand} />;
      break;
    case 'queue':
      page = <QueuePage brand={brand} />;
      break;
    case 'applications':
      page = second && !third ? <ApplicationPage brand={brand} id={second} /> : undefined;
      break;
    case 'intake':
      page =
        second === 'citizen' ? (
          <CitizenIntakePage brand={brand} />
        ) : second === 'organisation' ? (
          <OrganisationIntakePage brand={brand} />
        ) : second === 'foreigner' ? (
          <ForeignerIntakePage brand={brand} />
        ) : undefined;
      break;
    case 'lock-requests':
      page =
        second === undefined ? (
          <LockRequestsPage brand={brand} />
        ) : second === 'new' ? (
          <LockIntakePage brand={brand} />
        ) : !third ? (
          <LockRequestPage brand={brand} id={second} />
        ) : undefined;
      break;
    case 'call-centre':
      page = <CallCentrePage brand={brand} />;
      break;
    case 'holidays':
      page = <HolidaysPage brand={brand} />;
      break;
    case 'report':
      page = <ReportPage brand={brand} />;
      break;
  }
  return page ?? <NotFound brand={brand} home="/officer/" />;
}
