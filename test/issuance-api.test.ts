import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as client from 'openid-client';
import { fixedClock, testPlatform, useTestDatabase } from './database.ts';
import { signIn, signInForTokens, startHarness, type Harness } from '../src/oidc/testing.ts';
import { SandboxVerifier } from '../src/issuance/sandbox-verifier.ts';
import { pickCitizens } from '../src/issuance/testing.ts';
import { trackUrl, trackingCode } from '../src/issuance/views.ts';
import { readFileSync } from 'node:fs';

/**
 * Issuance through the HTTP API, as the app and the officer console use it: a level-1 registration
 * without an account, a TK01 at a commune counter received by one officer and approved by another
 * (maker–checker), the receipt and its QR tracking link, the unit's queue and report, and an
 * organisation's request with a co-representative's consent. Real server, real tokens.
 */
const t = useTestDatabase();
const clock = fixedClock(new Date());
let h: Harness;
let consoleRp: client.Configuration;
let appRp: client.Configuration;
let verifier: SandboxVerifier;
const taken = new Set<string>();

beforeAll(async () => {
  h = await startHarness(testPlatform(t.db, { clock, config: { adminToken: 'admin-secret' } }), t.database.pool, {
    clock,
  });
  await h.register({
    client_id: 'officer-console',
    first_party: true,
    officer_console: true,
    token_endpoint_auth_method: 'none',
    scopes: ['profile', 'api:officer'],
  });
  await h.register({
    client_id: 'citizen-app',
    first_party: true,
    token_endpoint_auth_method: 'none',
    scopes: ['profile', 'api:app'],
  });
  consoleRp = await h.rpConfig('officer-console');
  appRp = await h.rpConfig('citizen-app');
  verifier = new SandboxVerifier(h.kit.registries);
});

afterAll(async () => {
  await h?.stop();
});

async function token(config: client.Configuration, scope: string, who: Parameters<typeof signIn>[3]) {
  if (who.totpLabel) clock.advance(30_000); // a TOTP code is accepted once per 30-second step
  return (await signInForTokens(h, config, scope, who)).access_token;
}

const officerToken = (label: string) =>
  token(consoleRp, 'openid profile api:officer', {
    identifier: h.demo[label]!.identifier,
    password: h.demo[label]!.password,
    totpLabel: label,
  });

const appToken = (label: string, phone: string) =>
  token(appRp, 'openid profile api:app', {
    identifier: h.demo[label]!.identifier,
    password: h.demo[label]!.password,
    phone,
  });

async function call(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const response = await fetch(`${h.baseUrl}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const type = response.headers.get('content-type') ?? '';
  const body = type.includes('json') ? ((await response.json()) as Record<string, any>) : await response.arrayBuffer();
  return { status: response.status, type, body: body as Record<string, any> };
}

const today = () => new Date(clock.now().getTime() + 7 * 3_600_000).toISOString().slice(0, 10);
/** Art 14: the subject activates in the app: code by SMS, password, passcode, device. */
async function activate(identifier: string, phone: string) {
  const started = await call('POST', '/api/v1/public/activation/start', { body: { identifier } });
  expect(started.status).toBe(202);
  const code = await h.readOtp(phone);
  return call('POST', '/api/v1/public/activation/complete', {
    body: {
      identifier,
      challenge_id: started.body.challenge_id,
      code,
      password: 'Kich@hoat2026',
      passcode: '246813',
      device_name: 'Điện thoại',
    },
  });
}

const b64 = (file: string) => readFileSync(file).toString('base64');

describe('level 1 in the app, without an account (Decree 69 Art 10.1(a))', () => {
  test('submit: approved at once; the same Idempotency-Key returns the same application', async () => {
    const [c] = await pickCitizens(t.db, { count: 1, minAge: 18, card: 'valid', ownPhone: true, on: today(), taken });
    const body = {
      pin: c!.pin,
      full_name: c!.fullName,
      date_of_birth: c!.dateOfBirth,
      phone: c!.phone,
      face: b64(verifier.samplesOf('face', c!.registryId)[0]!),
    };
    const first = await call('POST', '/api/v1/public/applications/citizen-level1', {
      body,
      headers: { 'idempotency-key': `l1-${c!.pin}` },
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ state: 'approved', procedure: 'citizen_l1_app', reasons: [] });
    expect(first.body.phone).toMatch(/^0\d{3}\*+\d{3}$/);
    const again = await call('POST', '/api/v1/public/applications/citizen-level1', {
      body,
      headers: { 'idempotency-key': `l1-${c!.pin}` },
    });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
  });

  test('a rejection carries machine-readable reasons and the message, in English on request', async () => {
    const [c] = await pickCitizens(t.db, { count: 1, minAge: 18, card: 'valid', ownPhone: true, on: today(), taken });
    const response = await call('POST', '/api/v1/public/applications/citizen-level1', {
      headers: { 'accept-language': 'en' },
      body: {
        pin: c!.pin,
        full_name: 'Someone Else',
        date_of_birth: c!.dateOfBirth,
        phone: c!.phone,
        face: b64(verifier.impostorSamples('face', c!.registryId)[0]!),
      },
    });
    expect(response.status).toBe(201);
    expect(response.body.state).toBe('rejected');
    const codes = response.body.reasons.map((r: { code: string }) => r.code);
    expect(codes).toEqual(expect.arrayContaining(['declared_data_mismatch', 'face_mismatch']));
    expect(response.body.reasons.find((r: { code: string }) => r.code === 'face_mismatch').message).toMatch(
      /police office/,
    );
  });

  test('malformed input: 400 listing every field at fault, nothing stored', async () => {
    const before = await t.db
      .selectFrom('issuance.applications')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const response = await call('POST', '/api/v1/public/applications/citizen-level1', {
      body: {
        pin: '12',
        full_name: '',
        date_of_birth: '1990-13-45',
        phone: '12345',
        email: 'not-mail',
        face: 'aGVsbG8gd29ybGQgdGhpcyBpcyBub3QgYW4gaW1hZ2U=',
      },
    });
    expect(response.status).toBe(400);
    expect(response.type).toContain('application/problem+json');
    expect(response.body.code).toBe('APPLICATION_INVALID');
    const fields = response.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['pin', 'fullName', 'dateOfBirth', 'phone', 'email']));
    const schema = await call('POST', '/api/v1/public/applications/citizen-level1', { body: { pin: 1 } });
    expect(schema.status).toBe(400);
    expect(schema.body.errors.length).toBeGreaterThan(3);
    // Each names the schema rule, so the app words it in the reader's language.
    expect(schema.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'body.face', rule: 'required' }),
        expect.objectContaining({ field: 'body.full_name', rule: 'required' }),
      ]),
    );
    const after = await t.db
      .selectFrom('issuance.applications')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  test('a face that is not an image: 400 with the reason, no application', async () => {
    const [c] = await pickCitizens(t.db, { count: 1, minAge: 18, card: 'valid', ownPhone: true, on: today(), taken });
    const response = await call('POST', '/api/v1/public/applications/citizen-level1', {
      body: {
        pin: c!.pin,
        full_name: c!.fullName,
        date_of_birth: c!.dateOfBirth,
        phone: c!.phone,
        face: Buffer.from('%PDF-1.4 this is a document, not a photo').toString('base64'),
      },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      { field: 'face', reason: 'not_an_image', rule: 'capture_quality', limit: 'not_an_image' },
    ]);
  });
});

describe('level 2 at a commune counter (TK01, Art 11)', () => {
  let applicationId = '';
  let number = '';
  let version = 0;

  test('before taking the dossier the receiver reads the record by PIN; the read is in the ledger', async () => {
    const [c] = await pickCitizens(t.db, { count: 1, minAge: 18, card: 'valid', ownPhone: true, on: today(), taken });
    const unit = (await h.kit.backoffice.unitByCode('CAP-HNI-HOANKIEM'))!;
    const url = (pin: string) => `/api/v1/officer/units/${unit.id}/registry/citizens/${pin}`;
    const receiver = await officerToken('officer-receiver-hoankiem');
    const found = await call('GET', url(c!.pin), { token: receiver });
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({
      pin: c!.pin,
      full_name: c!.fullName,
      date_of_birth: c!.dateOfBirth,
      deceased: false,
      id_card: { status: 'valid' },
      account: null,
    });
    expect(found.body.biometrics_on_record).toEqual(['face', 'fingerprint']);
    expect(JSON.stringify(found.body)).not.toMatch(/template|image/i);
    expect((await call('GET', url('000000000000'), { token: receiver })).status).toBe(404);
    const malformed = await call('GET', url('12ab'), { token: receiver });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('VALIDATION_FAILED');
    // An approver is no receiver: maker and checker stay apart from the first step.
    expect((await call('GET', url(c!.pin), { token: await officerToken('officer-approver-hoankiem') })).status).toBe(
      403,
    );
    const reads = await t.db
      .selectFrom('audit.entries')
      .selectAll()
      .where('action', '=', 'officer.registry.read')
      .where('subject_id', '=', c!.registryId)
      .execute();
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({ actor_kind: 'officer', purpose: 'counter_intake', outcome: 'success' });
  });

  test('a receiving officer records the dossier: received, due in 3 working days', async () => {
    const [c] = await pickCitizens(t.db, { count: 1, minAge: 18, card: 'valid', ownPhone: true, on: today(), taken });
    const receiver = await officerToken('officer-receiver-hoankiem');
    const unit = (await h.kit.backoffice.unitByCode('CAP-HNI-HOANKIEM'))!;
    const response = await call('POST', `/api/v1/officer/units/${unit.id}/applications/citizen`, {
      token: receiver,
      body: {
        pin: c!.pin,
        phone: c!.phone,
        documents: ['Tờ khai TK01', 'Thẻ căn cước (bản chính, đối chiếu)'],
        face: b64(verifier.samplesOf('face', c!.registryId)[0]!),
        fingerprints: verifier.samplesOf('fingerprint', c!.registryId).slice(0, 2).map(b64),
      },
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      state: 'received',
      procedure: 'citizen_l2_counter',
      deadline: { days: 3, unit: 'working' },
    });
    expect(response.body.checks.biometrics.map((b: { decision: string }) => b.decision)).toEqual(['match', 'match']);
    expect(response.body.actions.map((a: { event: string }) => a.event)).toEqual(
      expect.arrayContaining(['approve', 'reject']),
    );
    ({ id: applicationId, number, version } = response.body as { id: string; number: string; version: number });

    const pdf = await call('GET', `/api/v1/officer/applications/${applicationId}/receipt.pdf`, { token: receiver });
    expect(pdf.status).toBe(200);
    expect(pdf.type).toBe('application/pdf');
    expect(
      Buffer.from(pdf.body as unknown as ArrayBuffer)
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
  });

  test("the receipt's QR link shows the state and dates only, and only with its code", async () => {
    const code = trackingCode({ id: applicationId, number });
    // The QR opens the citizen app's tracking page, which reads the public status with the code.
    expect(trackUrl(h.baseUrl, { id: applicationId, number })).toBe(`${h.baseUrl}/track/${number}?code=${code}`);
    const status = await call('GET', `/api/v1/public/applications/${number}/status?code=${code}`);
    expect(status.status).toBe(200);
    expect(Object.keys(status.body).sort()).toEqual(
      ['decided_on', 'due_on', 'number', 'procedure', 'procedure_name', 'received_on', 'state'].sort(),
    );
    const wrong = await call('GET', `/api/v1/public/applications/${number}/status?code=AAAAAAAAAAAA`);
    expect(wrong.status).toBe(404);
  });

  test('the queue lists it with the working days left; the receiver cannot approve it (maker–checker)', async () => {
    const receiver = await officerToken('officer-receiver-hoankiem');
    const queue = await call('GET', '/api/v1/officer/queue', { token: receiver });
    expect(queue.status).toBe(200);
    const entry = queue.body.entries.find((e: { application: { id: string } }) => e.application.id === applicationId);
    expect(entry).toMatchObject({ overdue: false });
    expect(entry.working_days_left).toBeGreaterThanOrEqual(2);
    // The application's own page shows the same deadline, whatever the queue's length.
    const detail = await call('GET', `/api/v1/officer/applications/${applicationId}`, { token: receiver });
    expect(detail.body).toMatchObject({
      due_on: entry.due_on,
      working_days_left: entry.working_days_left,
      overdue: false,
    });
    const dues = queue.body.entries.map((e: { application: { due_at: string } }) => e.application.due_at);
    expect(dues).toEqual([...dues].sort());
    const self = await call('POST', `/api/v1/officer/applications/${applicationId}/decision`, {
      token: receiver,
      body: { event: 'approve', version },
    });
    expect(self.status).toBe(403);
  });

  test('another officer of the unit approves; an officer of another province does not even see it', async () => {
    const hcm = await officerToken('officer-receiver-pc06-hcm');
    const hidden = await call('GET', `/api/v1/officer/applications/${applicationId}`, { token: hcm });
    expect(hidden.status).toBe(404);
    const approver = await officerToken('officer-approver-hoankiem');
    const approved = await call('POST', `/api/v1/officer/applications/${applicationId}/decision`, {
      token: approver,
      body: { event: 'approve', version },
    });
    expect(approved.status).toBe(200);
    expect(approved.body.state).toBe('approved');
    const account = await h.kit.identity.get(approved.body.account_id);
    expect(account).toMatchObject({ level: 2, status: 'pending_activation' });
    // The result notice starts the 7 days; the citizen activates in the app (Art 14.1).
    const activated = await activate(account!.pin!, account!.phone!);
    expect(activated.status).toBe(200);
    expect(activated.body).toEqual({ account_id: account!.id, status: 'active' });
    const stale = await call('POST', `/api/v1/officer/applications/${applicationId}/decision`, {
      token: approver,
      body: { event: 'reject', version, reasons: [{ code: 'officer_decision' }] },
    });
    expect(stale.status).toBe(409);
    const detail = await call('GET', `/api/v1/officer/applications/${applicationId}`, { token: approver });
    expect(detail.body.history.map((e: { event: string }) => e.event)).toEqual(['submit', 'approve']);
  });

  test('the report gives the unit its decided and on-time counts', async () => {
    const approver = await officerToken('officer-approver-hoankiem');
    const from = new Date(Date.now() - 86_400_000).toISOString();
    const to = new Date(Date.now() + 86_400_000).toISOString();
    const report = await call('GET', `/api/v1/officer/reports/on-time?from=${from}&to=${to}`, { token: approver });
    expect(report.status).toBe(200);
    const unit = report.body.units.find((u: { unit_code: string }) => u.unit_code === 'CAP-HNI-HOANKIEM');
    expect(unit).toMatchObject({ decided: 1, on_time: 1, on_time_rate: 1 });
  });
});

describe('an organisation filed in the app by one legal representative (Art 13.1)', () => {
  test('waits for the other representative, who consents in their app: the account is created', async () => {
    const citizen = await appToken('citizen', '+84912345678');
    // Signed in before the request: the consent request's SMS must not be taken for a login code.
    const spouse = await appToken('spouse', '+84987654321');
    const filed = await call('POST', '/api/v1/app/applications/organisations', {
      token: citizen,
      body: { enterprise_code: '0101234567', email: 'lienhe@saomai.vn' },
    });
    expect(filed.status).toBe(201);
    expect(filed.body).toMatchObject({ state: 'awaiting_consent', subject_name: 'Công ty Cổ phần Công nghệ Sao Mai' });

    const pending = await call('GET', '/api/v1/app/consent-requests', { token: spouse });
    expect(pending.body.requests).toEqual([
      expect.objectContaining({ application_id: filed.body.id, requested_by: 'Nguyễn Văn An' }),
    ]);
    const outsider = await call('POST', `/api/v1/app/consent-requests/${filed.body.id}`, {
      token: citizen,
      body: { decision: 'consent' },
    });
    expect(outsider.status).toBe(409);
    const consented = await call('POST', `/api/v1/app/consent-requests/${filed.body.id}`, {
      token: spouse,
      body: { decision: 'consent' },
    });
    expect(consented.status).toBe(200);
    expect(consented.body.state).toBe('approved');
    const organisation = await h.kit.identity.get(consented.body.account_id);
    expect(organisation).toMatchObject({ subjectKind: 'organisation', level: null, enterpriseCode: '0101234567' });
    const mine = await call('GET', '/api/v1/app/applications', { token: citizen });
    expect(mine.body.applications.map((a: { id: string }) => a.id)).toContain(filed.body.id);
  });
});

describe('a parent registers a child under 14 (Art 10.1(b)) and activates it on the parent’s phone', () => {
  test('approved at once, linked to the parent, activated with the code sent to the parent', async () => {
    const mother = await appToken('spouse', '+84987654321');
    const khoi = (await h.kit.registries.identity.findByPin('001216027409'))!;
    const filed = await call('POST', '/api/v1/app/applications/dependants', {
      token: mother,
      body: { pin: khoi.pin, full_name: khoi.fullName, date_of_birth: khoi.dateOfBirth },
    });
    // The mother's account is level 1 in the sandbox: a representative needs level 2.
    expect(filed.status).toBe(201);
    expect(filed.body.state).toBe('rejected');
    expect(filed.body.reasons.map((r: { code: string }) => r.code)).toEqual(['representative_level_too_low']);

    const father = await appToken('citizen', '+84912345678');
    const accepted = await call('POST', '/api/v1/app/applications/dependants', {
      token: father,
      body: { pin: khoi.pin, full_name: khoi.fullName, date_of_birth: khoi.dateOfBirth },
    });
    expect(accepted.status).toBe(201);
    expect(accepted.body).toMatchObject({ state: 'approved', phone: '0912***678' });
    const dependants = await call('GET', '/api/v1/app/dependants', { token: father });
    // His son, and the company whose account he filed for earlier (legal representative).
    expect(dependants.body.dependants).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ account_id: accepted.body.account_id, basis: 'parent', valid_until: '2030-03-12' }),
        expect.objectContaining({ basis: 'legal_representative' }),
      ]),
    );
    const activated = await activate(khoi.pin, '+84912345678');
    expect(activated.body).toEqual({ account_id: accepted.body.account_id, status: 'active' });
  });
});
