import { describe, expect, test } from 'vitest';
import { Problem } from '../platform/errors.ts';
import { validateRelyingParty, type RelyingPartyInput } from './clients.ts';
import { logoutTargets } from './repository.ts';
import {
  ACR,
  LOCKED_VIEW_SCOPE,
  amrOf,
  claimsReleased,
  consentRule,
  firstPartyScopes,
  isLockedViewToken,
  levelOfAccount,
  levelOfAcr,
  pairwiseSubject,
  profileClaims,
  requiredLevel,
  scopeAllowedFor,
} from './model.ts';

describe('levels of assurance', () => {
  test('acr values map to levels; unknown ones to none', () => {
    expect(levelOfAcr(ACR[1])).toBe(1);
    expect(levelOfAcr(ACR[2])).toBe(2);
    expect(levelOfAcr('http://eidas.europa.eu/LoA/high')).toBe(0);
    expect(levelOfAcr(undefined)).toBe(0);
  });

  test("an account's level; an organisation authenticates at level 1", () => {
    expect(levelOfAccount({ level: 2 })).toBe(2);
    expect(levelOfAccount({ level: 1 })).toBe(1);
    expect(levelOfAccount({ level: null })).toBe(1);
  });

  test('the required level: the lowest acceptable value asked, never under the registered minimum', () => {
    expect(requiredLevel({ clientMinimum: 1 })).toBe(1);
    expect(requiredLevel({ clientMinimum: 2 })).toBe(2);
    expect(requiredLevel({ acrValues: ACR[2], clientMinimum: 1 })).toBe(2);
    // Any of the listed values will do: the lowest counts.
    expect(requiredLevel({ acrValues: `${ACR[2]} ${ACR[1]}`, clientMinimum: 1 })).toBe(1);
    expect(requiredLevel({ acrValues: ACR[1], clientMinimum: 2 })).toBe(2);
    expect(requiredLevel({ acrValues: 'urn:other:acr', clientMinimum: 1 })).toBe(1);
    expect(requiredLevel({ acrClaims: [{ essential: true, value: ACR[2] }], clientMinimum: 1 })).toBe(2);
    expect(requiredLevel({ acrClaims: [{ essential: true, values: [ACR[2]] }], clientMinimum: 1 })).toBe(2);
    // A voluntary claim request does not bind.
    expect(requiredLevel({ acrClaims: [{ value: ACR[2] }], clientMinimum: 1 })).toBe(1);
  });

  test('amr per RFC 8176', () => {
    expect(amrOf('sms')).toEqual(['pwd', 'sms']);
    expect(amrOf('totp')).toEqual(['pwd', 'otp']);
  });
});

describe('scopes and claims', () => {
  const state = { kind: 'state' as const, firstParty: false, officerConsole: false };
  const priv = { kind: 'private' as const, firstParty: false, officerConsole: false };
  const app = { kind: 'state' as const, firstParty: true, officerConsole: false };
  const console_ = { kind: 'state' as const, firstParty: true, officerConsole: true };

  test('the PIN only to state relying parties; the API scopes only to the front ends', () => {
    expect(scopeAllowedFor('pin', state)).toBe(true);
    expect(scopeAllowedFor('pin', priv)).toBe(false);
    expect(scopeAllowedFor('profile', priv)).toBe(true);
    expect(scopeAllowedFor('api:app', state)).toBe(false);
    expect(scopeAllowedFor('api:app', app)).toBe(true);
    expect(scopeAllowedFor('api:officer', app)).toBe(false);
    expect(scopeAllowedFor('api:officer', console_)).toBe(true);
    expect(scopeAllowedFor('offline_access', priv)).toBe(false);
    expect(scopeAllowedFor('made-up', state)).toBe(false);
  });

  test('claims released by scope; never the PIN to a private relying party', () => {
    expect(claimsReleased(['openid', 'profile'], 'state')).toEqual([
      'name',
      'family_name',
      'given_name',
      'birthdate',
      'gender',
    ]);
    expect(claimsReleased(['pin', 'phone'], 'state')).toEqual(['pin', 'phone_number', 'phone_number_verified']);
    expect(claimsReleased(['pin', 'phone'], 'private')).toEqual(['phone_number', 'phone_number_verified']);
  });

  test('profile claims drop the PIN for anyone but a state relying party', () => {
    const profile = {
      fullName: 'Nguyễn Văn An',
      familyName: 'Nguyễn',
      givenName: 'An',
      birthdate: '1990-05-15',
      gender: 'male' as const,
      pin: '001090048213',
      address: 'Phường Hoàn Kiếm, Thành phố Hà Nội',
      phone: '+84912345678',
      email: null,
      level: 2 as const,
    };
    expect(profileClaims(profile, 'state')).toMatchObject({
      name: 'Nguyễn Văn An',
      pin: '001090048213',
      address: { formatted: 'Phường Hoàn Kiếm, Thành phố Hà Nội', country: 'VN' },
      phone_number_verified: true,
      level: 2,
    });
    expect(profileClaims(profile, 'private')).not.toHaveProperty('pin');
    expect(profileClaims(profile, 'state')).not.toHaveProperty('email');
  });

  test('pairwise subjects: stable per sector, different across sectors, not the account id', () => {
    const secret = Buffer.alloc(32, 1);
    const a = pairwiseSubject(secret, 'bank.example.vn', 'acc-1');
    expect(pairwiseSubject(secret, 'BANK.example.vn', 'acc-1')).toBe(a);
    expect(pairwiseSubject(secret, 'shop.example.vn', 'acc-1')).not.toBe(a);
    expect(pairwiseSubject(secret, 'bank.example.vn', 'acc-2')).not.toBe(a);
    expect(pairwiseSubject(Buffer.alloc(32, 2), 'bank.example.vn', 'acc-1')).not.toBe(a);
    expect(a).not.toContain('acc-1');
  });

  test('consent rules by kind (Decree 69 Art 19.3)', () => {
    expect(consentRule({ kind: 'private', firstParty: false })).toBe('every_time');
    expect(consentRule({ kind: 'state', firstParty: false })).toBe('remembered');
    expect(consentRule({ kind: 'state', firstParty: true })).toBe('none');
  });
});

describe('relying-party registration rules', () => {
  const base: RelyingPartyInput = {
    kind: 'state',
    name_vi: 'Cổng dịch vụ công',
    name_en: 'Public service portal',
    redirect_uris: ['https://dichvucong.example.gov.vn/cb'],
    scopes: ['profile', 'pin'],
  };
  const code = (input: Partial<RelyingPartyInput>) => {
    try {
      validateRelyingParty({ ...base, ...input });
      return 'ok';
    } catch (error) {
      return error instanceof Problem ? `${error.code}:${error.params.reason ?? error.params.scope ?? ''}` : 'other';
    }
  };

  test('https redirect URIs; http only on loopback; no fragments', () => {
    expect(code({})).toBe('ok');
    expect(code({ redirect_uris: ['http://127.0.0.1:8080/cb'] })).toBe('ok');
    expect(code({ redirect_uris: ['http://portal.example.vn/cb'] })).toMatch(/^RP_INVALID:.*https/);
    expect(code({ redirect_uris: ['https://portal.example.vn/cb#x'] })).toMatch(/fragment/);
    expect(code({ redirect_uris: ['vn.gov.app:/cb'] })).toMatch(/^RP_INVALID/);
    expect(code({ redirect_uris: ['vn.gov.app:/cb'], first_party: true, scopes: ['profile'] })).toBe('ok');
  });

  test('a private relying party: a sector, no PIN, no front-end flags, no refresh', () => {
    const priv = { kind: 'private' as const, scopes: ['profile'], sector_identifier: 'bank.example.vn' };
    expect(code(priv)).toBe('ok');
    expect(code({ ...priv, sector_identifier: undefined })).toMatch(/sector_identifier/);
    expect(code({ ...priv, scopes: ['pin'] })).toBe('RP_SCOPE_NOT_ALLOWED:pin');
    expect(code({ ...priv, scopes: ['offline_access'] })).toBe('RP_SCOPE_NOT_ALLOWED:offline_access');
    expect(code({ ...priv, first_party: true })).toMatch(/front end/);
    expect(code({ sector_identifier: 'x.example.vn' })).toMatch(/public sub/);
  });

  test('public clients and API scopes are for the front ends only', () => {
    expect(code({ token_endpoint_auth_method: 'none' })).toMatch(/public clients/);
    expect(code({ scopes: ['api:app'] })).toBe('RP_SCOPE_NOT_ALLOWED:api:app');
    expect(code({ officer_console: true })).toMatch(/first-party/);
    expect(code({ token_endpoint_auth_method: 'private_key_jwt' })).toMatch(/jwks/);
  });
});

describe('the locked view (DOMAIN.md §6)', () => {
  const app = { kind: 'state' as const, firstParty: true, officerConsole: false };
  const consoleClient = { kind: 'state' as const, firstParty: true, officerConsole: true };
  const rp = { kind: 'state' as const, firstParty: false, officerConsole: false };

  test('only the citizen app may be registered for it', () => {
    expect(scopeAllowedFor(LOCKED_VIEW_SCOPE, app)).toBe(true);
    expect(scopeAllowedFor(LOCKED_VIEW_SCOPE, consoleClient)).toBe(false);
    expect(scopeAllowedFor(LOCKED_VIEW_SCOPE, rp)).toBe(false);
    expect(scopeAllowedFor(LOCKED_VIEW_SCOPE, { ...rp, kind: 'private' })).toBe(false);
  });

  test('a locked view token carries the locked-view scope and no other API scope', () => {
    expect(isLockedViewToken(['openid', 'api:app:locked'])).toBe(true);
    expect(isLockedViewToken(new Set(['openid', 'api:app:locked', 'api:app']))).toBe(false);
    expect(isLockedViewToken(['openid', 'api:app'])).toBe(false);
    expect(isLockedViewToken(['openid', 'profile'])).toBe(false);
  });

  test('a first-party grant is one view or the other, never both, never profile while locked', () => {
    const allowed = new Set(['openid', 'profile', 'api:app', 'api:app:locked']);
    const asked = ['openid', 'profile', 'api:app', 'api:app:locked', 'pin'];
    expect(firstPartyScopes(asked, allowed, true)).toEqual(['openid', 'api:app:locked']);
    expect(firstPartyScopes(asked, allowed, false)).toEqual(['openid', 'profile', 'api:app']);
    expect(firstPartyScopes(['openid', 'api:app:locked'], new Set(['openid', 'api:app']), true)).toEqual(['openid']);
  });
});

describe("whom a terminated account's relying parties are (back-channel logout)", () => {
  const now = new Date('2026-03-02T03:00:00Z');
  const later = new Date('2026-03-02T04:00:00Z');
  const earlier = new Date('2026-03-02T02:00:00Z');

  test('sessions name their relying parties and sids; tokens outliving their session still count', () => {
    const targets = logoutTargets(
      [
        {
          model: 'Session',
          client_id: null,
          expires_at: later,
          payload: { authorizations: { portal: { sid: 's1' }, app: { sid: 's1' } } },
        },
        { model: 'RefreshToken', client_id: 'bank', expires_at: later, payload: { clientId: 'bank', sid: 's0' } },
        { model: 'AccessToken', client_id: 'portal', expires_at: later, payload: { clientId: 'portal', sid: 's1' } },
        { model: 'Grant', client_id: 'portal', expires_at: later, payload: { clientId: 'portal' } },
        // Already over: nobody to tell.
        { model: 'AccessToken', client_id: 'old', expires_at: earlier, payload: { clientId: 'old', sid: 's9' } },
        { model: 'AccessToken', client_id: 'nosid', expires_at: null, payload: { clientId: 'nosid' } },
      ],
      now,
    );
    expect(Object.fromEntries([...targets].map(([c, sids]) => [c, [...sids].sort()]))).toEqual({
      portal: ['s1'],
      app: ['s1'],
      bank: ['s0'],
    });
  });
});
