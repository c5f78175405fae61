import * as client from 'openid-client';

/**
 * Signing in to the platform's own OpenID provider from the browser: authorization code with PKCE
 * (S256), a public client (no secret can be kept in a page). Tokens live in sessionStorage: they
 * survive a reload, die with the tab, and are never sent anywhere but this origin's API. No refresh
 * token: when the access token ends (10 minutes) the app goes back through the provider, which
 * answers at once while its own session lasts (a "silent" sign-in) and shows the login pages after.
 */

export interface ClientSettings {
  clientId: string;
  /** Where the app lives: '/' (citizen app) or '/officer/' (officer console). */
  basePath: string;
  /** Everything the app may need; the provider grants what the account's state allows. */
  scope: string;
}

export interface Session {
  accessToken: string;
  idToken: string | undefined;
  scopes: string[];
  /** Epoch milliseconds. */
  expiresAt: number;
  sub: string;
  /** From userinfo when the profile scope was granted. */
  name: string | undefined;
}

interface Pending {
  verifier: string;
  state: string;
  returnTo: string;
}

const key = (what: string, settings: ClientSettings) => `dd:${what}:${settings.clientId}`;

function read<T>(name: string): T | undefined {
  try {
    const raw = sessionStorage.getItem(name);
    return raw ? (JSON.parse(raw) as T) : undefined;
  } catch {
    return undefined;
  }
}

export function callbackPath(settings: ClientSettings): string {
  return `${settings.basePath}callback`;
}

const configurations = new Map<string, Promise<client.Configuration>>();

/** The provider's metadata (discovery), fetched once per page. The issuer is this origin. */
function configuration(settings: ClientSettings): Promise<client.Configuration> {
  let found = configurations.get(settings.clientId);
  if (!found) {
    // The sandbox runs on http://localhost: openid-client refuses plain HTTP unless told.
    const execute = location.protocol === 'http:' ? [client.allowInsecureRequests] : [];
    found = client.discovery(new URL(location.origin), settings.clientId, undefined, client.None(), { execute });
    found.catch(() => configurations.delete(settings.clientId));
    configurations.set(settings.clientId, found);
  }
  return found;
}

/**
 * The provider's issuer is the platform's BASE_URL. Opened under another name (127.0.0.1 for
 * localhost), the redirect back would land on another origin without the PKCE verifier: go to the
 * issuer's origin first.
 */
async function issuerOrigin(): Promise<string> {
  const response = await fetch('/.well-known/openid-configuration', { cache: 'no-store' });
  const metadata = (await response.json()) as { issuer: string };
  return new URL(metadata.issuer).origin;
}

/** Sends the browser to the provider's login; it comes back to the callback path. */
export async function signIn(settings: ClientSettings, options: { returnTo: string; lang: string }): Promise<void> {
  const origin = await issuerOrigin();
  if (origin !== location.origin) {
    location.assign(`${origin}${location.pathname}`);
    return;
  }
  const config = await configuration(settings);
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const pending: Pending = { verifier, state, returnTo: options.returnTo };
  sessionStorage.setItem(key('pending', settings), JSON.stringify(pending));
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: `${location.origin}${callbackPath(settings)}`,
    scope: settings.scope,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ui_locales: options.lang,
  });
  location.assign(url.href);
}

/** The provider's answer at the callback: an error it sent back (cancelled, refused…). */
export class SignInError extends Error {
  constructor(
    readonly code: string,
    description: string,
  ) {
    super(description);
    this.name = 'SignInError';
  }
}

async function fetchName(config: client.Configuration, session: Session): Promise<string | undefined> {
  if (!session.scopes.includes('profile')) return undefined;
  try {
    const info = await client.fetchUserInfo(config, session.accessToken, session.sub);
    return typeof info.name === 'string' ? info.name : undefined;
  } catch {
    return undefined;
  }
}

/** Exchanges the code at the callback URL for tokens; returns where the person was going. */
export async function completeSignIn(settings: ClientSettings): Promise<{ session: Session; returnTo: string }> {
  const here = new URL(location.href);
  const error = here.searchParams.get('error');
  if (error) throw new SignInError(error, here.searchParams.get('error_description') ?? error);
  const pending = read<Pending>(key('pending', settings));
  if (!pending) throw new SignInError('no_pending_request', 'no sign-in was started in this tab');
  sessionStorage.removeItem(key('pending', settings));
  const config = await configuration(settings);
  const tokens = await client.authorizationCodeGrant(config, here, {
    pkceCodeVerifier: pending.verifier,
    expectedState: pending.state,
  });
  const claims = tokens.claims();
  const session: Session = {
    accessToken: tokens.access_token,
    idToken: tokens.id_token,
    scopes: (tokens.scope ?? settings.scope).split(' ').filter(Boolean),
    expiresAt: Date.now() + (tokens.expiresIn() ?? 600) * 1000,
    sub: claims?.sub ?? '',
    name: undefined,
  };
  session.name = await fetchName(config, session);
  sessionStorage.setItem(key('session', settings), JSON.stringify(session));
  return { session, returnTo: pending.returnTo };
}

/**
 * The session of this tab. Kept even when its access token has expired: the API's 401 then sends
 * the app back through the provider, silently while the provider's session lasts, to the same page.
 */
export function loadSession(settings: ClientSettings): Session | undefined {
  return read<Session>(key('session', settings));
}

export function clearSession(settings: ClientSettings): void {
  sessionStorage.removeItem(key('session', settings));
}

/** Ends the provider's session too (RP-initiated logout), then comes back to the app's start. */
export async function signOut(settings: ClientSettings, session: Session | undefined): Promise<void> {
  clearSession(settings);
  const config = await configuration(settings);
  const url = client.buildEndSessionUrl(config, {
    post_logout_redirect_uri: `${location.origin}${settings.basePath}`,
    ...(session?.idToken ? { id_token_hint: session.idToken } : { client_id: settings.clientId }),
  });
  location.assign(url.href);
}

const REAUTH_KEY = 'dd:reauth';

/**
 * Whether an automatic trip to the provider is allowed now: not twice within 30 seconds, so a
 * token the API keeps refusing cannot send the browser round in circles.
 */
export function mayReauthenticate(settings: ClientSettings): boolean {
  const name = key(REAUTH_KEY, settings);
  const last = Number(sessionStorage.getItem(name) ?? 0);
  if (Date.now() - last < 30_000) return false;
  sessionStorage.setItem(name, String(Date.now()));
  return true;
}
