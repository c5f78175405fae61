import { beforeEach, describe, expect, test } from 'vitest';
import { sql } from 'kysely';
import { errors, type AdapterPayload } from 'oidc-provider';
import { fixedClock, useTestDatabase } from '../../test/database.ts';
import { PostgresAdapter, adapterFactory, purgeExpired, revokeGrant } from './adapter.ts';

/**
 * Conformance of the PostgreSQL adapter to oidc-provider's seven-method storage contract
 * (upsert, find, findByUserCode, findByUid, consume, destroy, revokeByGrantId), against a real,
 * freshly migrated database.
 */
const t = useTestDatabase();
const clock = fixedClock('2026-03-02T03:00:00Z');

function adapter(model: string) {
  return new PostgresAdapter(model, { db: t.db, clock });
}

beforeEach(async () => {
  clock.set('2026-03-02T03:00:00Z');
  await sql`truncate oidc.payloads, oidc.login_flows`.execute(t.db);
});

const token = (over: Partial<AdapterPayload> = {}): AdapterPayload => ({
  jti: 'tok-1',
  kind: 'AccessToken',
  accountId: 'acc-1',
  clientId: 'client-1',
  grantId: 'grant-1',
  scope: 'openid profile',
  iat: 1,
  exp: 2,
  ...over,
});

describe('oidc storage adapter (seven-method contract)', () => {
  test('upsert then find returns the payload as stored; an unknown id finds nothing', async () => {
    const a = adapter('AccessToken');
    await a.upsert('tok-1', token(), 600);
    expect(await a.find('tok-1')).toEqual(token());
    expect(await a.find('nope')).toBeUndefined();
  });

  test('upsert replaces the payload of an existing id', async () => {
    const a = adapter('Session');
    await a.upsert('s-1', { jti: 's-1', kind: 'Session', uid: 'u-1', accountId: 'acc-1' }, 3600);
    await a.upsert('s-1', { jti: 's-1', kind: 'Session', uid: 'u-1', accountId: 'acc-2' }, 3600);
    expect(await a.find('s-1')).toMatchObject({ accountId: 'acc-2' });
    const rows = await t.db.selectFrom('oidc.payloads').select('account_id').where('id', '=', 's-1').execute();
    expect(rows).toEqual([{ account_id: 'acc-2' }]);
  });

  test('models are separate namespaces: the same id in two models is two rows', async () => {
    await adapter('AccessToken').upsert('same', token({ kind: 'AccessToken' }), 600);
    await adapter('RefreshToken').upsert('same', token({ kind: 'RefreshToken' }), 600);
    expect(await adapter('AccessToken').find('same')).toMatchObject({ kind: 'AccessToken' });
    expect(await adapter('RefreshToken').find('same')).toMatchObject({ kind: 'RefreshToken' });
    expect(await adapter('AuthorizationCode').find('same')).toBeUndefined();
  });

  test('TTL is honoured on read: past expiresIn the row is absent even before it is purged', async () => {
    const a = adapter('AuthorizationCode');
    await a.upsert('code-1', token({ kind: 'AuthorizationCode' }), 60);
    clock.advance(59_000);
    expect(await a.find('code-1')).toBeDefined();
    clock.advance(1_000);
    expect(await a.find('code-1')).toBeUndefined();
    // Still in the table until the purge runs.
    const [{ n }] = (await sql<{ n: number }>`select count(*)::int as n from oidc.payloads`.execute(t.db)).rows as [
      { n: number },
    ];
    expect(n).toBe(1);
  });

  test('without expiresIn a row does not expire', async () => {
    const a = adapter('Grant');
    await a.upsert('g-1', { jti: 'g-1', kind: 'Grant', accountId: 'acc-1', clientId: 'c' });
    clock.advance(365 * 24 * 3_600_000);
    expect(await a.find('g-1')).toMatchObject({ jti: 'g-1' });
  });

  test('findByUid finds a session by its uid, within its own model and TTL', async () => {
    const a = adapter('Session');
    await a.upsert('s-1', { jti: 's-1', kind: 'Session', uid: 'uid-1', accountId: 'acc-1' }, 60);
    expect(await a.findByUid('uid-1')).toMatchObject({ jti: 's-1' });
    expect(await adapter('Interaction').findByUid('uid-1')).toBeUndefined();
    expect(await a.findByUid('uid-2')).toBeUndefined();
    clock.advance(61_000);
    expect(await a.findByUid('uid-1')).toBeUndefined();
  });

  test('findByUserCode finds a device code by its user code', async () => {
    const a = adapter('DeviceCode');
    await a.upsert('dc-1', { jti: 'dc-1', kind: 'DeviceCode', userCode: 'WDJB-MJHT', grantId: 'g' }, 600);
    expect(await a.findByUserCode('WDJB-MJHT')).toMatchObject({ jti: 'dc-1' });
    expect(await a.findByUserCode('XXXX-XXXX')).toBeUndefined();
  });

  test('consume marks the row: later finds carry a truthy `consumed` (epoch seconds)', async () => {
    const a = adapter('AuthorizationCode');
    await a.upsert('code-1', token({ kind: 'AuthorizationCode' }), 60);
    expect(await a.find('code-1')).not.toHaveProperty('consumed');
    await a.consume('code-1');
    const found = await a.find('code-1');
    expect(found?.consumed).toBe(Math.floor(clock.now().getTime() / 1000));
  });

  test('a consumed mark survives a re-save of the same id', async () => {
    const a = adapter('RefreshToken');
    await a.upsert('rt-1', token({ kind: 'RefreshToken' }), 600);
    await a.consume('rt-1');
    await a.upsert('rt-1', token({ kind: 'RefreshToken', scope: 'openid' }), 600);
    expect((await a.find('rt-1'))?.consumed).toBeTruthy();
  });

  test('consume is atomic: of two concurrent redemptions one wins, the other is invalid_grant and the grant is revoked', async () => {
    const codes = adapter('AuthorizationCode');
    const access = adapter('AccessToken');
    await codes.upsert('code-1', token({ kind: 'AuthorizationCode', grantId: 'g-race' }), 60);
    await access.upsert('at-1', token({ grantId: 'g-race' }), 600);
    await adapter('Grant').upsert('g-race', { jti: 'g-race', kind: 'Grant', accountId: 'acc-1', clientId: 'c' });
    const outcomes = await Promise.allSettled([codes.consume('code-1'), codes.consume('code-1')]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const rejected = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(errors.InvalidGrant);
    expect(await access.find('at-1')).toBeUndefined();
    expect(await adapter('Grant').find('g-race')).toBeUndefined();
  });

  test('destroy removes the row; finds return nothing afterwards', async () => {
    const a = adapter('Interaction');
    await a.upsert('i-1', { jti: 'i-1', kind: 'Interaction', uid: 'i-1' }, 600);
    await a.destroy('i-1');
    expect(await a.find('i-1')).toBeUndefined();
    await a.destroy('i-1'); // idempotent
  });

  test("revokeByGrantId removes this model's rows of the grant and nothing else", async () => {
    const at = adapter('AccessToken');
    const rt = adapter('RefreshToken');
    await at.upsert('at-1', token({ jti: 'at-1', grantId: 'g-1' }), 600);
    await at.upsert('at-2', token({ jti: 'at-2', grantId: 'g-1' }), 600);
    await at.upsert('at-3', token({ jti: 'at-3', grantId: 'g-2' }), 600);
    await rt.upsert('rt-1', token({ jti: 'rt-1', kind: 'RefreshToken', grantId: 'g-1' }), 600);
    await at.revokeByGrantId('g-1');
    expect(await at.find('at-1')).toBeUndefined();
    expect(await at.find('at-2')).toBeUndefined();
    expect(await at.find('at-3')).toBeDefined();
    expect(await rt.find('rt-1')).toBeDefined();
  });

  test('revokeGrant removes the grant and every token under it, across models', async () => {
    await adapter('Grant').upsert('g-1', { jti: 'g-1', kind: 'Grant', accountId: 'acc-1', clientId: 'c' });
    await adapter('AccessToken').upsert('at-1', token({ grantId: 'g-1' }), 600);
    await adapter('RefreshToken').upsert('rt-1', token({ kind: 'RefreshToken', grantId: 'g-1' }), 600);
    await adapter('AccessToken').upsert('at-9', token({ jti: 'at-9', grantId: 'g-9' }), 600);
    expect(await revokeGrant(t.db, 'g-1')).toBe(3);
    expect(await adapter('AccessToken').find('at-9')).toBeDefined();
  });

  test('the Client model is served from the registered relying parties, read-only', async () => {
    const factory = adapterFactory({
      db: t.db,
      clock,
      clientMetadata: async (id) =>
        id === 'rp-1' ? { client_id: 'rp-1', redirect_uris: ['https://rp/cb'] } : undefined,
    });
    const clients = factory('Client');
    expect(await clients.find('rp-1')).toEqual({ client_id: 'rp-1', redirect_uris: ['https://rp/cb'] });
    expect(await clients.find('rp-2')).toBeUndefined();
    await expect(clients.upsert('rp-3', { client_id: 'rp-3' })).rejects.toThrow(/admin API/);
  });

  test('purgeExpired deletes expired rows and expired login flows, keeps the rest', async () => {
    const a = adapter('AccessToken');
    for (let i = 0; i < 7; i++) await a.upsert(`old-${i}`, token({ jti: `old-${i}` }), 10);
    await a.upsert('young', token({ jti: 'young' }), 600);
    await adapter('Grant').upsert('forever', { jti: 'forever', kind: 'Grant' });
    await t.db
      .insertInto('oidc.login_flows')
      .values({
        uid: 'f-1',
        csrf: 'x',
        step: 'identifier',
        identifier_sealed: null,
        account_id: null,
        challenge_id: null,
        masked_phone: null,
        second_factor: null,
        created_at: clock.now(),
        expires_at: new Date(clock.now().getTime() + 10_000),
      })
      .execute();
    clock.advance(11_000);
    expect(await purgeExpired(t.db, clock.now(), 3)).toBe(8);
    const left = await t.db.selectFrom('oidc.payloads').select('id').orderBy('id').execute();
    expect(left.map((r) => r.id)).toEqual(['forever', 'young']);
    expect(await purgeExpired(t.db, clock.now())).toBe(0);
  });
});
