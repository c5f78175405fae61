import type { Platform } from './platform/context.ts';
import { createAuditService, type AuditService } from './audit/service.ts';
import { createAuthService, type AuthService } from './auth/service.ts';
import { authPolicyFromEnv, type PolicyOverrides } from './auth/model.ts';
import { createBackofficeService, type BackofficeService } from './backoffice/service.ts';
import { createCalendarService, type CalendarService } from './calendar/service.ts';
import { createIssuanceService, type IssuanceService } from './issuance/service.ts';
import { SandboxVerifier } from './issuance/sandbox-verifier.ts';
import type { BiometricVerifier } from './issuance/ports.ts';
import { createBiometricsService, type BiometricsService } from './biometrics/service.ts';
import { createIdentityService, type Account, type IdentityService } from './identity/service.ts';
import { createNotifyService, type NotifyService } from './notify/service.ts';
import { createOidc, type Oidc, type OidcOptions } from './oidc/service.ts';
import { createRepresentationService, type RepresentationService } from './representation/service.ts';
import { createEidService, type EidService } from './eid/service.ts';
import { eidPolicyFromEnv, type EidPolicy } from './eid/model.ts';
import { createLockService, type LockService } from './locks/service.ts';
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
  representation: RepresentationService;
  issuance: IssuanceService;
  /** The electronic identity card (căn cước điện tử) and its presentations. */
  eid: EidService;
  /** Lock grounds, TK03 and authority requests, the registry sync (DOMAIN.md §6). */
  locks: LockService;
  /**
   * The phone a subject's codes and notices go to: their own, or, for a dependant or an
   * organisation without one, their representative's (DOMAIN.md §4: dependants use the
   * representative's phone).
   */
  contactPhoneOf(account: Account): Promise<string | null>;
  /**
   * The biometrics context (sealed reference store, face and fingerprint matchers) when
   * `biometricMatchers` is on, else null (warm the face matcher up at start: `face.warmUp()`).
   */
  biometrics: BiometricsService | null;
}

export interface ServiceOptions {
  oidc?: OidcOptions;
  authPolicy?: PolicyOverrides;
  /** The biometric matchers behind the verification port (default: the sandbox verifier). */
  verifier?: BiometricVerifier;
  /**
   * Match faces and fingers with the real matchers against sealed reference templates (enrolled
   * from the shared labelled samples in a sandbox). Off by default: each process that turns it on
   * loads the face networks (about 2 s). Without the samples it stays off.
   */
  biometricMatchers?: boolean;
  eidPolicy?: Partial<EidPolicy>;
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
  const eid = createEidService(
    platform,
    { registries, identity, auth, audit },
    { policy: options.eidPolicy ?? eidPolicyFromEnv() },
  );
  const calendar = createCalendarService(platform, { audit });
  const biometrics = sandboxBiometrics(registries, platform, options.biometricMatchers ?? false);
  const representation = createRepresentationService(platform, { registries, audit, notify, identity });
  const issuance = createIssuanceService(platform, {
    registries,
    identity,
    backoffice,
    calendar,
    notify,
    audit,
    verifier: options.verifier ?? biometrics.verifier,
    representation,
  });

  /** The phone a subject's codes go to: their own, or their representative's (DOMAIN.md §4). */
  async function contactPhoneOf(account: Account): Promise<string | null> {
    if (account.phone) return account.phone;
    for (const link of await representation.representativesOf(account.id)) {
      const phone = (await identity.get(link.representativeAccountId))?.phone;
      if (phone) return phone;
    }
    return null;
  }

  const locks = createLockService(platform, {
    identity,
    backoffice,
    calendar,
    notify,
    audit,
    registries,
    passcode: auth,
    contactPhoneOf,
    // A lock ends every session and tells relying parties at once (DOMAIN.md §6).
    sessions: oidc.sessions,
  });
  return {
    audit,
    calendar,
    notify,
    registries,
    identity,
    backoffice,
    auth,
    oidc,
    representation,
    issuance,
    eid,
    locks,
    contactPhoneOf,
    biometrics: biometrics.biometrics,
  };
}

/**
 * The matchers of a sandbox (Decree 69 Arts 10–12): face and fingerprint matchers reading sealed
 * reference templates from the biometrics store, enrolled on first use from the shared labelled
 * samples the sandbox assigns each person. Without the samples (or when a test does not ask for
 * the matchers), the sandbox rule judges captures by their labels.
 */
function sandboxBiometrics(registries: NationalRegistries, platform: Platform, matchers: boolean) {
  const sandbox = new SandboxVerifier(registries);
  const samples = sandbox.identityOf('face', '1') !== null;
  if (!matchers || !samples) return { verifier: sandbox as BiometricVerifier, face: null, biometrics: null };
  const biometrics = createBiometricsService(platform, { registries, sandbox });
  return { verifier: biometrics.verifier, face: biometrics.face, biometrics };
}
