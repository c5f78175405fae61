import { AuthProvider, useAuth } from '../shared/auth.tsx';
import { useI18n } from '../shared/i18n.tsx';
import { Layout, type NavItem } from '../shared/layout.tsx';
import type { ClientSettings } from '../shared/oidc.ts';
import { Progress } from '../shared/progress.tsx';
import { usePath } from '../shared/router.tsx';
import { NotFound } from '../shared/not-found.tsx';
import { CardPage } from './pages/card.tsx';
import { HomePage } from './pages/home.tsx';
import { LockPage } from './pages/lock.tsx';
import { LockedView } from './pages/locked-view.tsx';
import { WelcomePage } from './pages/welcome.tsx';
import { ActivatePage } from './pages/activate.tsx';
import { ApplicationsPage } from './pages/applications.tsx';
import { ConsentsPage } from './pages/consents.tsx';
import { DependantsPage } from './pages/dependants.tsx';
import { HistoryPage } from './pages/history.tsx';
import { OrganisationsPage } from './pages/organisations.tsx';
import { RegisterPage } from './pages/register.tsx';
import { TrackPage, trackedNumber } from './pages/track.tsx';
import './citizen.css';

/**
 * The citizen app. One client registration (`citizen-app`, src/oidc/first-party.ts) asks for both
 * the full scopes and the locked view's: the provider grants `api:app` to an active account and
 * only `api:app:locked` to a locked one, so the token says which app to show.
 */
export const CITIZEN: ClientSettings = {
  clientId: 'citizen-app',
  basePath: '/',
  scope: 'openid profile phone api:app api:app:locked',
};

export function CitizenApp() {
  return (
    <AuthProvider settings={CITIZEN}>
      <CitizenShell />
    </AuthProvider>
  );
}

function CitizenShell() {
  const { t } = useI18n();
  const auth = useAuth();
  const full = auth.session?.scopes.includes('api:app') ?? false;
  const nav: NavItem[] | undefined = full
    ? [
        { to: '/', label: t('nav_home') },
        { to: '/card', label: t('nav_card') },
        { to: '/applications', label: t('cz_nav_applications') },
        { to: '/dependants', label: t('cz_nav_dependants') },
        { to: '/organisations', label: t('cz_nav_organisations') },
        { to: '/consents', label: t('cz_nav_consents') },
        { to: '/history', label: t('cz_nav_history') },
        { to: '/lock', label: t('nav_lock') },
      ]
    : auth.session || auth.completing
      ? undefined
      : [
          { to: '/', label: t('cz_nav_welcome') },
          { to: '/register', label: t('cz_nav_register') },
          { to: '/activate', label: t('cz_nav_activate') },
          { to: '/track', label: t('cz_nav_track') },
        ];
  return (
    <Layout
      brand={t('brand')}
      home="/"
      nav={nav}
      user={auth.session?.name}
      onSignOut={auth.session ? auth.signOut : undefined}
    >
      <CitizenRoutes />
    </Layout>
  );
}

function CitizenRoutes() {
  const { t } = useI18n();
  const auth = useAuth();
  const path = usePath();
  if (auth.completing) return <Progress label={t('signing_in')} />;
  // Public pages: no account is needed to register, activate or follow an application.
  switch (path) {
    case '/register':
      return <RegisterPage />;
    case '/activate':
      return <ActivatePage />;
    case '/track':
      return <TrackPage />;
  }
  const tracked = trackedNumber(path);
  if (tracked) return <TrackPage number={tracked} />;
  if (!auth.session) return <WelcomePage />;
  // A locked identity's token opens the restricted view only, whatever the address.
  if (!auth.session.scopes.includes('api:app')) return <LockedView />;
  switch (path) {
    case '/':
      return <HomePage />;
    case '/card':
      return <CardPage />;
    case '/lock':
      return <LockPage />;
    case '/applications':
      return <ApplicationsPage />;
    case '/dependants':
      return <DependantsPage />;
    case '/organisations':
      return <OrganisationsPage />;
    case '/consents':
      return <ConsentsPage />;
    case '/history':
      return <HistoryPage />;
    default:
      return <NotFound brand={t('brand')} home="/" />;
  }
}
