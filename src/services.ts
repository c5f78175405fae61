import type { Platform } from './platform/context.ts';
import { createAuditService, type AuditService } from './audit/service.ts';
import { createAuthService, type AuthService } from './auth/service.ts';
import { authPolicyFromEnv, type PolicyOverrides } from './auth/model.ts';
import { createBackofficeService, type BackofficeService } from './backoffice/service.ts';
import { createCalendarService, type CalendarService } from './calendar/service.ts';
import { createIdentityService, type IdentityService } from './identity/service.ts';
import { createNotifyService, type NotifyService } from './notify/service.ts';
import { createOidc, type Oidc, type OidcOptions } from './oidc/service.ts';
import { createRegistries } from './registries/service.ts';
import type { NationalRegistries } from './registries/ports.ts';

/** The services of every context, built once per process from the platform. */
export interface Services {
  audit: AuditService;
  calendar: CalendarService;
  notify: NotifyService;
  /** The national databases, through their ports (sandbox adapters here). */
  registries: NationalRegistries;
  identity: IdentityService;
  backoffice: BackofficeService;
  auth: AuthService;
  oidc: Oidc;
}

export interface ServiceOptions {
  oidc?: OidcOptions;
  authPolicy?: PolicyOverrides;
}

export function createServices(platform: Platform, options: ServiceOptions = {}): Services {
  const audit = createAuditService(platform);
  const registries = createRegistries(platform);
  const notify = createNotifyService(platform);
  const identity = createIdentityService(platform, { registries, audit });
  const backoffice = createBackofficeService(platform, { audit });
  // The provider does not need auth; auth needs the provider's session ending (a new device ends
  // the old device's sessions), so the provider comes first.
  const oidc = createOidc(
    platform,
    { audit, identity, backoffice },
    { allowPrivateNetworkFetch: platform.config.oidcAllowPrivateNetwork, ...options.oidc },
  );
  const auth = createAuthService(platform, {
    identity,
    audit,
    notify,
    sessions: oidc.sessions,
    policy: options.authPolicy ?? authPolicyFromEnv(),
  });
  return {
    audit,
    calendar: createCalendarService(platform, { audit }),
    notify,
    registries,
    identity,
    backoffice,
    auth,
    oidc,
  };
}
