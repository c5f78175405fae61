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
        { to: '/lock', label: t('nav_lock') },
      ]
    : undefined;
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
    default:
      return <NotFound brand={t('brand')} home="/" />;
  }
}
