import { createHash } from 'node:crypto';
import type { Confirmation } from '../representation/model.ts';

/**
 * A dependant's sign-in (pure rules; the login interaction applies them). Minors under 14, wards
 * and represented persons use their account only with the consent or confirmation of their
 * representative in the app (Decree 69/2024 Art 10.1(b) and the paragraph after Art 14; DOMAIN.md
 * §5): after the password and the code, the interaction asks the representative (a confirmation
 * request of the representation context, action `sign_in`) and signs the dependant in only once
 * the representative confirmed.
 */

/** Where the interaction stands once it looked at its confirmation request. */
export type ConfirmationOutcome =
  { status: 'foreign' } | { status: Confirmation['status']; confirmation: Confirmation };

/** What a sign-in's request is bound to: this interaction, this relying party, this account. */
export interface SignInBinding {
  uid: string;
  clientId: string;
  accountId: string;
}

/**
 * A reference to the interaction that the request carries: a digest, so the representative's app
 * (which shows the request's detail) never sees the interaction's uid.
 */
export function interactionRef(uid: string): string {
  return createHash('sha256').update(`oidc-interaction:${uid}`).digest('base64url').slice(0, 22);
}

/** The detail the representative is shown and that ties the request to one sign-in. */
export function signInDetail(
  binding: Pick<SignInBinding, 'uid' | 'clientId'>,
  names: { vi: string; en: string },
): Record<string, string> {
  return {
    client_id: binding.clientId,
    client_name: names.vi,
    client_name_en: names.en,
    interaction_ref: interactionRef(binding.uid),
  };
}

/**
 * The outcome of a sign-in's request. The id comes from the flow's server-side row, never from the
 * browser; still, a request of another dependant, another relying party or another interaction (a
 * row tampered with, a request replayed) is `foreign` and never signs anyone in.
 */
export function outcomeOf(confirmation: Confirmation | undefined, binding: SignInBinding): ConfirmationOutcome {
  if (!confirmation || !boundTo(confirmation, binding)) return { status: 'foreign' };
  return { status: confirmation.status, confirmation };
}

function boundTo(c: Confirmation, binding: SignInBinding): boolean {
  return (
    c.dependantAccountId === binding.accountId &&
    c.action === 'sign_in' &&
    c.detail.client_id === binding.clientId &&
    c.detail.interaction_ref === interactionRef(binding.uid)
  );
}

/**
 * A name as the waiting page shows it: initials, then the given name ('Nguyễn Văn An' → 'N. V. An').
 * Enough for the dependant to know whom to ask, little for someone who is not them.
 */
export function maskName(fullName: string): string {
  const words = fullName.normalize('NFC').trim().split(/\s+/).filter(Boolean);
  if (words.length <= 1) return words[0] ?? '';
  const initials = words.slice(0, -1).map((w) => `${Array.from(w)[0] ?? ''}.`);
  return [...initials, words[words.length - 1]].join(' ');
}
