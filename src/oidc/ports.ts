import type { AuditService } from '../audit/service.ts';
import type { BackofficeService } from '../backoffice/service.ts';
import type { IdentityService } from '../identity/service.ts';
import type { AuthService, LoginContext } from '../auth/service.ts';

export type { LoginContext };

/**
 * What the OpenID provider needs from the other contexts: only the members it calls, so a test can
 * hand it the real services or small fakes, and the dependency is visible here.
 */
export type IdentityPort = Pick<IdentityService, 'get' | 'profileOf'>;
export type BackofficePort = Pick<BackofficeService, 'assignmentsOf' | 'mayAct' | 'scopeOf'>;
export type AuditPort = Pick<AuditService, 'append' | 'historyOf'>;

/** The members of the auth service the login interaction calls. */
export type AuthPort = Pick<AuthService, 'checkPassword' | 'startOtp' | 'verifyOtp' | 'verifyTotp'>;

/** What `createOidc` needs. */
export interface OidcDeps {
  audit: AuditPort;
  identity: IdentityPort;
  backoffice: BackofficePort;
}
