import type { Platform } from './platform/context.ts';
import { createAuditService, type AuditService } from './audit/service.ts';
import { createAuthService, type AuthService } from './auth/service.ts';
import { authPolicyFromEnv, type PolicyOverrides } from './auth/model.ts';
import { createBackofficeService, type BackofficeService } from './backoffice/service.ts';
import { createCalendarService, type CalendarService } from './calendar/service.ts';
import { createIssuanceService, type IssuanceService } from './issuance/service.ts';
import { SandboxVerifier } from './issuance/sandbox-verifier.ts';
import type { BiometricVerifier } from './issuance/ports.ts';
import { FaceVerifier, SandboxFaceReferences, verifierByKind } from './biometrics/face/verifier.ts';
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
  /** The face matcher when `faceMatcher` is on (warm it up at start), else null. */
  faceVerifier: FaceVerifier | null;
}

export interface ServiceOptions {
  oidc?: OidcOptions;
  authPolicy?: PolicyOverrides;
  /** The biometric matchers behind the verification port (default: the sandbox verifier). */
  verifier?: BiometricVerifier;
  /**
   * Match faces with the real face matcher against the sandbox's reference templates (built from
   * the shared labelled samples), fingers still by the sandbox rule. Off by default: each process
   * that turns it on loads the networks (about 2 s). Without the samples it stays off.
   */
  faceMatcher?: boolean;
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
  const biometrics = sandboxBiometrics(registries, platform, options.faceMatcher ?? false);
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
    faceVerifier: biometrics.face,
  };
}

/**
 * The matchers of a sandbox (Decree 69 Arts 10–12): faces by the face matcher against reference
 * templates made from the shared labelled samples when asked and when the samples are there;
 * otherwise, and for fingers until the fingerprint matcher is wired, the sandbox rule.
 */
function sandboxBiometrics(registries: NationalRegistries, platform: Platform, faceMatcher: boolean) {
  const sandbox = new SandboxVerifier(registries);
  const samples = sandbox.identityOf('face', '1') !== null;
  if (!faceMatcher || !samples) return { verifier: sandbox as BiometricVerifier, face: null };
  const face = new FaceVerifier({ registries, references: new SandboxFaceReferences(sandbox), logger: platform.log });
  return { verifier: verifierByKind({ face, fingerprint: sandbox }), face };
}
