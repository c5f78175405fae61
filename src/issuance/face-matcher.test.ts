import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { SandboxFaceReferences } from '../biometrics/face/verifier.ts';
import { seedUnits } from '../backoffice/service.ts';
import { seedSandbox } from '../registries/seed.ts';
import { createServices, type Services } from '../services.ts';
import { SandboxVerifier } from './sandbox-verifier.ts';
import { pickCitizens } from './testing.ts';
import { Problem } from '../platform/errors.ts';

/**
 * Level 1 in the app with the real face matcher behind the verification port (Decree 69 Art
 * 10.1(a): the face is checked against the portrait on record): a second capture of the person
 * matches, someone else's face is refused with `face_mismatch`, and a capture the checks refuse
 * is a 400 with the retake reason, storing nothing.
 */
const t = useTestDatabase();
const clock = fixedClock(new Date());
let services: Services;
let references: SandboxFaceReferences;
let sandbox: SandboxVerifier;
const taken = new Set<string>();
const today = () => new Date(clock.now().getTime() + 7 * 3_600_000).toISOString().slice(0, 10);

beforeAll(async () => {
  await seedSandbox(t.database.pool, { citizens: 300, seed: 'issuance-face' });
  services = createServices(testPlatform(t.db, { clock }), { faceMatcher: true });
  await seedUnits(t.db);
  sandbox = new SandboxVerifier(services.registries);
  references = new SandboxFaceReferences(sandbox);
}, 120_000);

async function applicant() {
  const [c] = await pickCitizens(t.db, { count: 1, minAge: 18, card: 'valid', ownPhone: true, on: today(), taken });
  const extractor = await services.faceVerifier!.warmUp();
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
