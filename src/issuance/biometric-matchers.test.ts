import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { SandboxFaceReferences } from '../biometrics/face/verifier.ts';
import { seedUnits } from '../backoffice/service.ts';
import { makeAccount } from '../auth/testing.ts';
import { seedSandbox } from '../registries/seed.ts';
import { createServices, type Services } from '../services.ts';
import { SandboxVerifier } from './sandbox-verifier.ts';
import { pickCitizens } from './testing.ts';
import { Problem } from '../platform/errors.ts';

/**
 * The real matchers behind the verification port, as the running sandbox composes them.
 * Level 1 in the app (Decree 69 Art 10.1(a): the face against the portrait on record): a second
 * capture of the person matches, someone else's face is refused with `face_mismatch`, and a capture
 * the checks refuse is a 400 with the retake reason, storing nothing. Level 2 at the counter (Art
 * 11: face and fingerprints): genuine captures are received with both scores for the officer;
 * someone else's fingers send the dossier to manual review; the references used are sealed in the
 * biometrics store, never in clear.
 */
const t = useTestDatabase();
const clock = fixedClock(new Date());
let services: Services;
let references: SandboxFaceReferences;
let sandbox: SandboxVerifier;
let unit: string;
let receiver: string;
const SETUP = { kind: 'test', id: 'setup' };
const taken = new Set<string>();
const today = () => new Date(clock.now().getTime() + 7 * 3_600_000).toISOString().slice(0, 10);

beforeAll(async () => {
  await seedSandbox(t.database.pool, { citizens: 300, seed: 'issuance-face' });
  services = createServices(testPlatform(t.db, { clock }), { biometricMatchers: true });
  const units = await seedUnits(t.db);
  unit = units['CAP-HNI-HOANKIEM']!.id;
  receiver = (await makeAccount(services.identity, t.db, { level: 2, status: 'active' })).id;
  await services.backoffice.assign(t.db, { accountId: receiver, unitId: unit, role: 'RECEIVER' }, SETUP);
  sandbox = new SandboxVerifier(services.registries);
  references = new SandboxFaceReferences(sandbox);
}, 120_000);

async function applicant() {
  const [c] = await pickCitizens(t.db, { count: 1, minAge: 18, card: 'valid', ownPhone: true, on: today(), taken });
  const extractor = await services.biometrics!.face.warmUp();
  // The first passing sample is the portrait on record: a genuine capture is another one.
  const passing = await references.samplesPassing(c!.registryId, extractor);
  return { c: c!, passing };
}

describe('level 1 with the face matcher (Art 10.1(a))', () => {
  test('another capture of the same person: approved, with the face score', async () => {
    const { c, passing } = await applicant();
    expect(passing.length).toBeGreaterThanOrEqual(2);
    const { application } = await services.issuance.applyCitizenLevel1({
      pin: c.pin,
      fullName: c.fullName,
      dateOfBirth: c.dateOfBirth,
      phone: c.phone!,
      face: await readFile(passing[1]!),
    });
    expect(application.reasons).toEqual([]);
    expect(application.state).toBe('approved');
    const [face] = application.checks.biometrics;
    expect(face).toMatchObject({ kind: 'face', decision: 'match' });
    expect(face!.engine).toMatch(/^face-api/);
    expect(face!.score).toBeGreaterThanOrEqual(face!.threshold!);
  });

  test("someone else's face: refused with face_mismatch, sent to a counter", async () => {
    const { c } = await applicant();
    // Someone whose sandbox identity differs (24 face identities are shared among the people).
    let other = await applicant();
    while (sandbox.identityOf('face', other.c.registryId) === sandbox.identityOf('face', c.registryId)) {
      other = await applicant();
    }
    const { application } = await services.issuance.applyCitizenLevel1({
      pin: c.pin,
      fullName: c.fullName,
      dateOfBirth: c.dateOfBirth,
      phone: c.phone!,
      face: await readFile(other.passing[1]!),
    });
    expect(application.state).toBe('rejected');
    expect(application.reasons.map((r) => r.code)).toEqual(['face_mismatch']);
    expect(application.checks.biometrics[0]).toMatchObject({ kind: 'face', decision: 'no_match' });
  });

  test('a capture that is not a face photo: 4xx with the reason, no application', async () => {
    const { c } = await applicant();
    const grey = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAEAAAABACAAAAACPAi4CAAAAJUlEQVR42u3BAQ0AAADCoPdPbQ8HFAAAAAAAAAAAAAAAAAAAAPwbQEAAAVP3BJEAAAAASUVORK5CYII=',
      'base64',
    );
    const error = await services.issuance
      .applyCitizenLevel1({ pin: c.pin, fullName: c.fullName, dateOfBirth: c.dateOfBirth, phone: c.phone!, face: grey })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(Problem);
    expect((error as Problem).status).toBeGreaterThanOrEqual(400);
    expect((error as Problem).status).toBeLessThan(500);
    const stored = await t.db
      .selectFrom('issuance.applications')
      .select('id')
      .where('registry_id', '=', c.registryId)
      .execute();
    expect(stored).toEqual([]);
  });
});

describe('level 2 at the counter with the face and fingerprint matchers (Art 11)', () => {
  async function tk01(c: { pin: string; phone: string | null }, face: string, fingers: string[]) {
    return services.issuance.receiveCitizen(receiver, unit, {
      pin: c.pin,
      phone: c.phone,
      documents: ['Tờ khai TK01'],
      face: await readFile(face),
      fingerprints: await Promise.all(fingers.map((f) => readFile(f))),
    });
  }

  test('genuine face and two fingers: received, both scores at or above their thresholds', async () => {
    const { c, passing } = await applicant();
    const fingers = await services.biometrics!.sandbox!.fingers.samplesPassing(c.registryId);
    expect(fingers.length).toBeGreaterThanOrEqual(2);
    const { application } = await tk01(c, passing[1]!, fingers.slice(0, 2));
    expect(application.state).toBe('received');
    const [face, finger] = application.checks.biometrics;
    expect(face).toMatchObject({ kind: 'face', decision: 'match' });
    expect(finger).toMatchObject({ kind: 'fingerprint', decision: 'match' });
    expect(finger!.score).toBeGreaterThanOrEqual(finger!.threshold!);
    // The references the matchers used are in the store, sealed: no descriptor or minutiae in clear.
    const stored = await t.db
      .selectFrom('biometrics.reference_templates')
      .selectAll()
      .where('registry_id', '=', c.registryId)
      .execute();
    expect(stored.map((r) => r.modality).sort()).toEqual(expect.arrayContaining(['face', 'fingerprint']));
    for (const row of stored) expect(String(row.sealed_template)).toMatch(/^v1\./);
  });

  test("someone else's fingers: manual review, the fingerprint score below the threshold", async () => {
    const { c, passing } = await applicant();
    const impostor = sandbox.impostorSamples('fingerprint', c.registryId).slice(1, 3);
    const { application } = await tk01(c, passing[1]!, impostor);
    expect(application.state).toBe('manual_review');
    const finger = application.checks.biometrics.find((b) => b.kind === 'fingerprint');
    expect(finger).toMatchObject({ decision: 'no_match' });
    expect(finger!.score!).toBeLessThan(finger!.threshold!);
  });
});
