import type { ClientSettings } from '../shared/oidc.ts';

/**
 * The officer console (`officer-console`, src/oidc/first-party.ts): the provider asks officers for
 * a TOTP code instead of an SMS code, and the API re-reads their roles and units on every call.
 * api:admin is asked for always: the provider grants it to the console, and the admin API checks
 * the ADMIN role on every call (the holiday editor, authorities).
 */
export const OFFICER_SETTINGS: ClientSettings = {
  clientId: 'officer-console',
  basePath: '/officer/',
  scope: 'openid profile api:officer api:admin',
};
