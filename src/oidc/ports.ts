import type { AuditService } from '../audit/service.ts';
import type { BackofficeService } from '../backoffice/service.ts';
import type { IdentityService } from '../identity/service.ts';
import type { AuthService, ContactPhoneOf, LoginContext } from '../auth/service.ts';
import type { RepresentationService } from '../representation/service.ts';

export type { ContactPhoneOf, LoginContext };

/**
 * What the OpenID provider needs from the other contexts: only the members it calls, so a test can
 * hand it the real services or small fakes, and the dependency is visible here.
 */
export type IdentityPort = Pick<IdentityService, 'get' | 'profileOf'>;
export type BackofficePort = Pick<BackofficeService, 'assignmentsOf' | 'mayAct' | 'scopeOf'>;
export type AuditPort = Pick<AuditService, 'append' | 'historyOf'>;

/** The members of the auth service the login interaction calls. */
export type AuthPort = Pick<AuthService, 'checkPassword' | 'startOtp' | 'verifyOtp' | 'verifyTotp'>;

/**
 * What the login interaction needs from the representation context: a dependant (a child under 14,
 * a ward, a represented person) signs in only with the confirmation of their representative in
 * the app (Decree 69/2024 Art 10.1(b); DOMAIN.md §5).
 */
export type RepresentationPort = Pick<
  RepresentationService,
  'representativesOf' | 'requestConfirmation' | 'confirmationOf' | 'withdraw'
>;

/** What `createOidc` needs. */
export interface OidcDeps {
  audit: AuditPort;
  identity: IdentityPort;
  backoffice: BackofficePort;
}
