import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import type { Logger } from '../src/platform/logger.ts';

/**
 * Everything the portal asks of the platform, over HTTP only, as any relying party would: its
 * registration through the admin API (once, at start), OpenID Connect discovery, the public
 * working-day calculator, and the registry check for state relying parties.
 */
export const DEFAULT_CLIENT_ID = 'dichvucong';
export const PORTAL_SCOPES = ['profile', 'pin', 'phone', 'email', 'address', 'level'];

export interface Registration {
  clientId: string;
  clientSecret: string;
}

async function json(response: Response): Promise<any> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return { raw: text.slice(0, 500) };
  }
}

/**
 * Registers the portal as a *state* relying party, or, when it is registered already, issues it a
 * new secret (a secret is shown only once; this process keeps it in memory). When a registration
 * under the name exists with other redirect URIs (the portal moved), a client id derived from the
 * portal's URL is used instead, so two portals never take each other's registration.
 */
export async function registerWithPlatform(options: {
  platformUrl: string;
  adminToken: string;
  portalUrl: string;
  clientId?: string | undefined;
  log?: Logger;
}): Promise<Registration> {
  const { platformUrl, adminToken, portalUrl } = options;
  const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
  const callback = `${portalUrl}/auth/callback`;
  const candidates = [
    options.clientId ?? DEFAULT_CLIENT_ID,
    `${options.clientId ?? DEFAULT_CLIENT_ID}-${createHash('sha256').update(portalUrl).digest('hex').slice(0, 8)}`,
  ];
  for (const clientId of candidates) {
    const existing = await fetch(`${platformUrl}/api/v1/admin/relying-parties/${clientId}`, { headers });
    if (existing.status === 200) {
      const rp = await json(existing);
      if (!Array.isArray(rp.redirect_uris) || !rp.redirect_uris.includes(callback)) continue;
      const rotated = await fetch(`${platformUrl}/api/v1/admin/relying-parties/${clientId}/secret`, {
        method: 'POST',
        headers: { authorization: headers.authorization },
      });
      const body = await json(rotated);
      if (rotated.status !== 200) throw new Error(`rotating the portal's secret failed: ${JSON.stringify(body)}`);
      if (rp.status !== 'active') {
        await fetch(`${platformUrl}/api/v1/admin/relying-parties/${clientId}/status`, {
          method: 'PUT',
          headers,
          body: JSON.stringify({ status: 'active' }),
        });
      }
      options.log?.info({ clientId }, 'portal: relying party found, secret rotated');
      return { clientId, clientSecret: body.client_secret };
    }
    if (existing.status !== 404) {
      throw new Error(
        `the platform's admin API refused the portal (${existing.status}): ${JSON.stringify(await json(existing))}`,
      );
    }
    const created = await fetch(`${platformUrl}/api/v1/admin/relying-parties`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        client_id: clientId,
        kind: 'state',
        name_vi: 'Cổng Dịch vụ công quốc gia',
        name_en: 'National Public Service Portal',
        redirect_uris: [callback],
        post_logout_redirect_uris: [`${portalUrl}/`],
        backchannel_logout_uri: `${portalUrl}/auth/backchannel-logout`,
        min_level: 1,
        scopes: PORTAL_SCOPES,
        token_endpoint_auth_method: 'client_secret_basic',
      }),
    });
    const body = await json(created);
    if (created.status !== 201) throw new Error(`registering the portal failed: ${JSON.stringify(body)}`);
    options.log?.info({ clientId }, 'portal: registered as a state relying party');
    return { clientId, clientSecret: body.client_secret };
  }
  throw new Error('no client id left for the portal');
}

export interface Deadline {
  deadline: string;
  deadline_local: string;
  last_day: string;
}

export interface CitizenCheck {
  identity_matches: boolean;
  phone_registered_to_citizen: boolean;
}

export interface PlatformClient {
  registration: Registration;
  /** openid-client's view of the provider (discovered on first use, again after a failure). */
  oidc(): Promise<client.Configuration>;
  /** `GET /api/calendar/working-days/add`: the deadline of `days` working days from `from`. */
  addWorkingDays(from: Date, days: number): Promise<Deadline>;
  /** `POST /api/v1/rp/registries/citizen-check` with the portal's client credentials. */
  checkCitizen(input: { pin: string; full_name: string; birthdate: string; phone: string }): Promise<CitizenCheck>;
}

export function platformClient(platformUrl: string, registration: Registration): PlatformClient {
  let configuration: Promise<client.Configuration> | undefined;
  const insecure = platformUrl.startsWith('http://');
  return {
    registration,
    oidc() {
      configuration ??= client
        .discovery(
          new URL(platformUrl),
          registration.clientId,
          {},
          client.ClientSecretBasic(registration.clientSecret),
          insecure ? { execute: [client.allowInsecureRequests] } : {},
        )
        .catch((error: unknown) => {
          configuration = undefined;
          throw error;
        });
      return configuration;
    },
    async addWorkingDays(from, days) {
      const url = new URL(`${platformUrl}/api/calendar/working-days/add`);
      url.searchParams.set('from', from.toISOString());
      url.searchParams.set('days', String(days));
      const response = await fetch(url, { headers: { accept: 'application/json' } });
      const body = await json(response);
      if (response.status !== 200)
        throw new Error(`working-day calculator: ${response.status} ${JSON.stringify(body)}`);
      return body as Deadline;
    },
    async checkCitizen(input) {
      const basic = Buffer.from(
        `${encodeURIComponent(registration.clientId)}:${encodeURIComponent(registration.clientSecret)}`,
      ).toString('base64');
      const response = await fetch(`${platformUrl}/api/v1/rp/registries/citizen-check`, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ ...input, purpose: 'Đăng ký tài khoản Cổng Dịch vụ công quốc gia' }),
      });
      const body = await json(response);
      if (response.status !== 200) throw new Error(`registry check: ${response.status} ${JSON.stringify(body)}`);
      return body as CitizenCheck;
    },
  };
}
