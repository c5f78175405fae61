import { AuthProvider, useAuth } from '../shared/auth.tsx';
import { useI18n } from '../shared/i18n.tsx';
import { Layout } from '../shared/layout.tsx';
import { NotFound } from '../shared/not-found.tsx';
import type { ClientSettings } from '../shared/oidc.ts';
import { Progress } from '../shared/progress.tsx';
import { usePath } from '../shared/router.tsx';
import { QueuePage } from './pages/queue.tsx';
import { OfficerWelcome } from './pages/welcome.tsx';

/**
 * The officer console (`officer-console`, src/oidc/first-party.ts): the provider asks officers for
 * a TOTP code instead of an SMS code, and the API re-reads their roles and units on every call.
 */
export const OFFICER: ClientSettings = {
  clientId: 'officer-console',
  basePath: '/officer/',
  scope: 'openid profile api:officer api:admin',
};

export function OfficerApp() {
  return (
    <AuthProvider settings={OFFICER}>
      <OfficerShell />
    </AuthProvider>
  );
}

function OfficerShell() {
  const { t } = useI18n();
  const auth = useAuth();
  const brand = `${t('officer_brand')} – ${t('brand')}`;
  return (
    <Layout
      brand={t('officer_brand')}
      home="/officer/"
      nav={auth.session ? [{ to: '/officer/', label: t('nav_queue') }] : undefined}
      user={auth.session?.name}
      onSignOut={auth.session ? auth.signOut : undefined}
    >
      <OfficerRoutes brand={brand} />
    </Layout>
  );
}

function OfficerRoutes({ brand }: { brand: string }) {
  const { t } = useI18n();
  const auth = useAuth();
  const path = usePath();
  if (auth.completing) return <Progress label={t('signing_in')} />;
  if (!auth.session) return <OfficerWelcome brand={brand} />;
  switch (path) {
    case '/officer/':
    case '/officer':
      return <QueuePage brand={brand} />;
    default:
      return <NotFound brand={brand} home="/officer/" />;
  }
}
