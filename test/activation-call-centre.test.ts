import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as client from 'openid-client';
import SwaggerParser from '@apidevtools/swagger-parser';
import { fixedClock, testPlatform, useTestDatabase } from './database.ts';
import { DEMO_PERSONS } from '../src/registries/demo.ts';
import { vnCivilDate } from '../src/auth/activation.ts';
import { ctx, lastOtp, uniqueSubject } from '../src/auth/testing.ts';
import { activationDeadline, maskPhone, type Account } from '../src/identity/model.ts';
import { signInForTokens, startHarness, type Harness } from '../src/oidc/testing.ts';

/**
 * Activation over HTTP (Decree 69/2024 Art 14), on the real server with the routes mounted as
 * src/http/server.ts will mount them.
 *
 * Threat: someone other than the agency's hotline reopens an expired activation (an officer of
 * another role, a token of the citizen app, a stale view of the account), or the public endpoints
 * tell who has an account. Only a CALL_CENTER officer, signed in to the officer console with TOTP,
 * reopens activation, from the version they read; every lookup and reissue is in the ledger.
 */
const t = useTestDatabase();
const clock = fixedClock(new Date());
const DAY = 24 * 3600_000;
const PASSWORD = 'Kich@hoat2026';
let h: Harness;
let console_: client.Configuration;

beforeAll(async () => {
  const platform = testPlatform(t.db, { clock, config: { adminToken: 'admin-secret' } });
  h = await startHarness(platform, t.database.pool, { clock });
  await h.register({
    client_id: 'officer-console',
    first_party: true,
    officer_console: true,
    token_endpoint_auth_method: 'none',
    scopes: ['profile', 'api:officer'],
  });
  console_ = await h.rpConfig('officer-console');
});

afterAll(async () => {
  await h?.stop();
});

async function officerToken(label: string): Promise<string> {
  const officer = h.demo[label]!;
  clock.advance(30_000); // a fresh TOTP step: a code is accepted once
  const tokens = await signInForTokens(h, console_, 'openid profile api:officer', {
    identifier: officer.identifier,
    password: officer.password,
    totpLabel: label,
  });
  return tokens.access_token;
}

async function call(
  method: 'GET' | 'POST',
  path: string,
  options: { body?: object; token?: string; language?: string } = {},
) {
  const headers: Record<string, string> = {};
  if (options.body) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.language) headers['accept-language'] = options.language;
  const response = await fetch(`${h.baseUrl}${path}`, {
    method,
    headers,
    ...(options.body ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: (text ? JSON.parse(text) : undefined) as Record<string, any>,
  };
}

/** A pending account, as an approved application leaves it, created `daysAgo` days ago. */
async function pendingAccount(daysAgo = 0): Promise<Account> {
  const s = uniqueSubject();
  const now = clock.now();
  clock.set(new Date(now.getTime() - daysAgo * DAY));
  try {
    return await h.kit.identity.createAccount(h.platform.db, {
      subjectKind: 'citizen',
      registryId: s.registryId,
      pin: s.pin,
      fullName: 'Đặng Văn Kích',
      level: 1,
      phone: s.phone,
    });
  } finally {
    clock.set(now);
  }
}

async function otpRows(accountId: string): Promise<number> {
  const row = await h.platform.db
    .selectFrom('notify.outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('template', '=', 'otp')
    .where('account_id', '=', accountId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Start and complete; the code from the SMSC, or from the outbox before the worker sends (and erases) it. */
async function activateInApp(account: Account, from: 'smsc' | 'outbox' = 'smsc') {
  const started = await call('POST', '/api/v1/public/activation/start', { body: { identifier: account.pin } });
  expect(started.status).toBe(202);
  const code = from === 'smsc' ? await h.readOtp(account.phone!) : (await lastOtp(h.platform.db, account.id)).code;
  return call('POST', '/api/v1/public/activation/complete', {
    body: {
      identifier: account.pin,
      challenge_id: started.body.challenge_id,
      code,
      password: PASSWORD,
      passcode: '246810',
      device_name: 'Samsung Galaxy của Kích',
    },
  });
}

describe('activation in the app over HTTP (Art 14.1)', () => {
  test('start, the code by SMS, a weak password listed rule by rule, then activation; the password signs in', async () => {
    const account = await pendingAccount();
    const started = await call('POST', '/api/v1/public/activation/start', { body: { identifier: account.pin } });
    expect(started.status).toBe(202);
    expect(started.body).toEqual({
      challenge_id: expect.any(String),
      masked_phone: maskPhone(account.phone!),
      expires_at: new Date(clock.now().getTime() + 5 * 60_000).toISOString(),
    });
    const code = await h.readOtp(account.phone!);
    const body = {
      identifier: account.pin,
      challenge_id: started.body.challenge_id,
      code,
      password: 'matkhau',
      passcode: '246810',
      device_name: 'Điện thoại',
    };
    const weak = await call('POST', '/api/v1/public/activation/complete', { body });
    expect(weak.status).toBe(400);
    expect(weak.type).toContain('application/problem+json');
    expect(weak.body).toMatchObject({ code: 'AUTH_PASSWORD_POLICY', field: 'password' });
    expect(weak.body.violations.map((v: { code: string }) => v.code)).toEqual([
      'too_short',
      'no_upper',
      'no_digit',
      'no_symbol',
    ]);
    expect(weak.body.detail).toContain('có ít nhất một chữ in hoa');

    const done = await call('POST', '/api/v1/public/activation/complete', { body: { ...body, password: PASSWORD } });
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ account_id: account.id, status: 'active' });
    const again = await call('POST', '/api/v1/public/activation/complete', { body: { ...body, password: PASSWORD } });
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('AUTH_OTP_EXPIRED');
    expect((await h.kit.auth.checkPassword(account.pin!, PASSWORD, ctx())).status).toBe('active');
  });

  test('an unknown identifier and an active account get the same answer as a pending one, and no SMS', async () => {
    const pending = await pendingAccount();
    const citizen = h.demo.citizen!;
    const sentBefore = await otpRows(citizen.accountId);
    const answers = [];
    for (const identifier of [pending.pin!, uniqueSubject().pin, citizen.identifier]) {
      answers.push(await call('POST', '/api/v1/public/activation/start', { body: { identifier } }));
    }
    for (const answer of answers) {
      expect(answer.status).toBe(202);
      expect(answer.type).toBe(answers[0]!.type);
      expect(Object.keys(answer.body).sort()).toEqual(['challenge_id', 'expires_at', 'masked_phone']);
      expect(answer.body.masked_phone).toMatch(/^0\d{3}\*{3}\d{3}$/);
      expect(answer.body.expires_at).toBe(answers[0]!.body.expires_at);
    }
    expect(await otpRows(citizen.accountId)).toBe(sentBefore);
  });

  test("a dependant without a phone: the code goes to the representative's phone", async () => {
    // Khôi (10) and his mother, linked by the representation context from the registry's family data.
    const khoi = (await h.kit.registries.identity.findByPin(DEMO_PERSONS.child.pin))!;
    const child = await h.kit.identity.createAccount(h.platform.db, {
      subjectKind: 'citizen',
      registryId: khoi.registryId,
      pin: khoi.pin,
      fullName: khoi.fullName,
      level: 1,
    });
    const parent = h.demo.spouse!;
    await h.kit.representation.link(h.platform.db, {
      representativeAccountId: parent.accountId,
      dependantAccountId: child.id,
      actor: { kind: 'test', id: 'activation' },
    });
    const parentPhone = (await h.kit.identity.get(parent.accountId))!.phone!;
    const started = await call('POST', '/api/v1/public/activation/start', { body: { identifier: child.pin } });
    expect(started.body.masked_phone).toBe(maskPhone(parentPhone));
    const code = await h.readOtp(parentPhone);
    const done = await call('POST', '/api/v1/public/activation/complete', {
      body: {
        identifier: child.pin,
        challenge_id: started.body.challenge_id,
        code,
        password: PASSWORD,
        passcode: '135790',
        device_name: 'Máy tính bảng của Khôi',
      },
    });
    expect(done.body).toEqual({ account_id: child.id, status: 'active' });
  });
});

describe('threat: reopening activation without the hotline (Art 14.2)', () => {
  test('after the 7 days the app names the hotline; a CALL_CENTER officer reopens activation; the app then activates', async () => {
    const account = await pendingAccount(8);
    // Not yet marked expired by the job: the code still goes out, and the phone's holder learns why it fails.
    const late = await activateInApp(account);
    expect(late.status).toBe(403);
    expect(late.body.code).toBe('AUTH_ACTIVATION_PERIOD_OVER');
    expect(late.body.detail).toContain('gọi tổng đài');

    expect(await h.kit.identity.expireDueActivations()).toBeGreaterThanOrEqual(1);
    const expired = (await h.kit.identity.get(account.id))!;
    expect(expired.status).toBe('activation_expired');
    const sent = await otpRows(account.id);
    expect((await call('POST', '/api/v1/public/activation/start', { body: { identifier: account.pin } })).status).toBe(
      202,
    );
    expect(await otpRows(account.id)).toBe(sent);

    const reissue = (token: string | undefined, version: number) =>
      call('POST', `/api/v1/officer/accounts/${account.id}/activation`, {
        ...(token ? { token } : {}),
        body: {
          reason: 'Công dân gọi tổng đài: quá hạn kích hoạt do đi công tác',
          verification: { method: 'callback_registered_phone', note: 'Gọi lại số 0912345678, trả lời đúng ngày sinh' },
          version,
        },
      });

    // Not an officer, or an officer without the role: refused before anything is read.
    expect((await reissue(undefined, expired.version)).status).toBe(401);
    const receiver = await officerToken('officer-receiver-hoankiem');
    expect(
      (await call('GET', `/api/v1/officer/accounts/lookup?identifier=${account.pin}`, { token: receiver })).status,
    ).toBe(403);
    const refused = await reissue(receiver, expired.version);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('FORBIDDEN');

    const hotline = await officerToken('officer-callcenter-c06');
    const lookup = await call('GET', `/api/v1/officer/accounts/lookup?identifier=${account.pin}`, { token: hotline });
    expect(lookup.status).toBe(200);
    expect(lookup.body).toEqual({
      account_id: account.id,
      subject_kind: 'citizen',
      status: 'activation_expired',
      level: 1,
      masked_phone: maskPhone(account.phone!),
      activation_due_at: account.activationDueAt!.toISOString(),
      activation_due_on: vnCivilDate(account.activationDueAt!),
      version: expired.version,
    });
    const missing = await call('GET', `/api/v1/officer/accounts/lookup?identifier=${uniqueSubject().pin}`, {
      token: hotline,
    });
    expect(missing.status).toBe(404);

    const stale = await reissue(hotline, expired.version - 1);
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('CONFLICT');
    const reopened = await reissue(hotline, expired.version);
    expect(reopened.status).toBe(200);
    const due = activationDeadline(clock.now());
    expect(reopened.body).toMatchObject({
      status: 'pending_activation',
      activation_due_at: due.toISOString(),
      activation_due_on: vnCivilDate(due),
      version: expired.version + 1,
    });
    const twice = await reissue(hotline, expired.version + 1);
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('ACCOUNT_TRANSITION_NOT_ALLOWED');

    // The ledger: who reopened, why, how the caller was checked; not the note's personal data.
    const officerId = h.demo['officer-callcenter-c06']!.accountId;
    const history = await h.kit.audit.historyOf({ kind: 'account', id: account.id }, 100);
    const entry = history.find((e) => e.action === 'identity.account.reissue_activation');
    expect(entry).toMatchObject({
      actor_kind: 'officer',
      actor_id: officerId,
      detail: {
        from: 'activation_expired',
        to: 'pending_activation',
        reason: 'Công dân gọi tổng đài: quá hạn kích hoạt do đi công tác',
        verification: { method: 'callback_registered_phone' },
      },
    });
    expect(JSON.stringify(history)).not.toContain('0912345678');
    expect(history.filter((e) => e.action === 'officer.account.lookup' && e.actor_id === officerId)).toHaveLength(1);

    // The subject is told, by SMS (no code in it) and in the app's inbox.
    await expect(h.readOtp(account.phone!)).rejects.toThrow(/no new code/);
    const texts = h.smsc.messages().filter((m) => m.destination === account.phone!.slice(1));
    expect(texts[texts.length - 1]!.text).toContain(
      `chậm nhất ngày ${vnCivilDate(due).split('-').reverse().join('/')}`,
    );
    expect((await h.kit.notify.inbox(account.id)).items[0]).toMatchObject({ template: 'activation_reissued' });

    // (The SMSC's last message to this phone is the notice, so the new code is read from the outbox.)
    const activated = await activateInApp(account, 'outbox');
    expect(activated.status).toBe(200);
    expect((await h.kit.auth.checkPassword(account.pin!, PASSWORD, ctx())).id).toBe(account.id);
  });

  test('the OpenAPI document stays valid and lists the activation routes', async () => {
    const response = await fetch(`${h.baseUrl}/api/openapi.json`);
    const doc = (await response.json()) as { paths: Record<string, Record<string, { tags?: string[] }>> };
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy();
    expect(doc.paths['/api/v1/public/activation/start']!.post!.tags).toEqual(['activation']);
    expect(doc.paths['/api/v1/public/activation/complete']!.post!.tags).toEqual(['activation']);
    expect(doc.paths['/api/v1/officer/accounts/lookup']!.get!.tags).toEqual(['officer']);
    expect(doc.paths['/api/v1/officer/accounts/{accountId}/activation']!.post!.tags).toEqual(['officer']);
  });
});
