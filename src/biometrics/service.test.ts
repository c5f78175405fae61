import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { testPlatform, useTestDatabase } from '../../test/database.ts';
import { SandboxVerifier } from '../issuance/sandbox-verifier.ts';
import type { Platform } from '../platform/context.ts';
import type { NationalRegistries } from '../registries/ports.ts';
import { parseIsoTemplate } from './fingerprint/iso19794-2.ts';
import { FINGERPRINT_ENGINE } from './fingerprint/verifier.ts';
import type { Subject } from './model.ts';
import { createBiometricsService, type BiometricsService } from './service.ts';
import { DEMO_BIOMETRIC_SUBJECTS } from './sources.ts';

/**
 * Fingers through the store-backed sources (no face model here: template-leak.test.ts loads it):
 * sandbox enrolment once per person, across "processes" (service instances), and the production
 * rule that only the store counts.
 */
const t = useTestDatabase();

/** Everyone has face and fingerprints on record, except registry ids starting with 'none'. */
const registries = {
  identity: {
    biometricsOf: async (id: string) =>
      id.startsWith('none')
        ? []
        : [
            { kind: 'face', sampleRef: null, capturedOn: '2024-01-01' },
            { kind: 'fingerprint', sampleRef: null, capturedOn: '2024-01-01' },
          ],
  },
  immigration: { biometricsOf: async () => [{ kind: 'fingerprint', sampleRef: null, capturedOn: '2024-01-15' }] },
} as unknown as NationalRegistries;

const sandbox = new SandboxVerifier(registries);
const an: Subject = { kind: 'citizen', registryId: '1' };
const kim: Subject = { kind: 'foreigner', registryId: '1' };
const finger = (file: string, position: number) => ({
  kind: 'fingerprint' as const,
  image: readFileSync(file),
  finger: position,
});

let platform: Platform;
let service: BiometricsService;
beforeAll(() => {
  platform = testPlatform(t.db);
  service = createBiometricsService(platform, { registries, sandbox });
});

const rowsOf = async (subject: Subject) =>
  (
    await sql<{ modality: string; finger: number; engine: string }>`
      select modality, finger, engine from biometrics.reference_templates
      where subject_kind = ${subject.kind} and registry_id = ${subject.registryId} order by modality, finger`.execute(
      t.db,
    )
  ).rows;

describe('sandbox enrolment into the sealed store', () => {
  it('enrols the demo persons’ ten fingers once; a second start only looks', async () => {
    expect(DEMO_BIOMETRIC_SUBJECTS).toEqual([
      ...['1', '2', '5', '6', '7', '8', '9', '10', '11'].map((registryId) => ({ kind: 'citizen', registryId })),
      { kind: 'foreigner', registryId: '1' },
    ]);
    const first = (await service.enrolSandbox())!;
    expect(first).toMatchObject({ subjects: 10, enrolled: { face: 0, fingerprint: 10 }, skipped: { face: 0 } });
    expect(await rowsOf(an)).toEqual(
      Array.from({ length: 10 }, (_, i) => ({ modality: 'fingerprint', finger: i + 1, engine: FINGERPRINT_ENGINE })),
    );
    expect(await rowsOf(kim)).toHaveLength(10);
    const again = (await service.enrolSandbox())!;
    expect(again).toMatchObject({ enrolled: { face: 0, fingerprint: 0 }, skipped: { fingerprint: 10 } });
    expect(again.ms).toBeLessThan(first.ms);
    // only what the registry holds on record
    const none = (await service.enrolSandbox({ subjects: [{ kind: 'citizen', registryId: 'none-1' }] }))!;
    expect(none).toMatchObject({ enrolled: { fingerprint: 0 }, skipped: { fingerprint: 1 } });
  });

  it('verifies two fingers against the stored references, the same from another process', async () => {
    const [a, b] = await service.sandbox!.fingers.samplesPassing(an.registryId);
    const [own] = await service.verifier.verify(an, [finger(a!, 3), finger(b!, 8)]);
    expect(own).toMatchObject({ kind: 'fingerprint', decision: 'match', engine: FINGERPRINT_ENGINE });
    // a production process (no sandbox) reads the same sealed references
    const production = createBiometricsService(platform, { registries });
    const [again] = await production.verifier.verify(an, [finger(a!, 3), finger(b!, 8)]);
    expect(again).toEqual(own);
    const impostor = sandbox.impostorSamples('fingerprint', an.registryId);
    const [other] = await production.verifier.verify(an, [finger(impostor[1]!, 3), finger(impostor[2]!, 8)]);
    expect(other).toMatchObject({ decision: 'no_match' });
    expect(await production.enrolSandbox()).toBeNull();
  });

  it('enrols a person on first verification when the start-up did not (sandbox), never in production', async () => {
    const newcomer: Subject = { kind: 'citizen', registryId: '4242' };
    const [a, b] = await service.sandbox!.fingers.samplesPassing(newcomer.registryId);
    const production = createBiometricsService(platform, { registries });
    const [missing] = await production.verifier.verify(newcomer, [finger(a!, 1), finger(b!, 6)]);
    expect(missing).toMatchObject({ decision: 'no_reference' });
    expect(await rowsOf(newcomer)).toEqual([]);
    const [enrolled] = await service.verifier.verify(newcomer, [finger(a!, 1), finger(b!, 6)]);
    expect(enrolled).toMatchObject({ decision: 'match' });
    expect(await rowsOf(newcomer)).toHaveLength(10);
    expect(await production.verifier.verify(newcomer, [finger(a!, 1), finger(b!, 6)])).toEqual([enrolled]);
  });

  it('keeps to the fingers taken at the counter: no sample enrolment beside them', async () => {
    const counter: Subject = { kind: 'foreigner', registryId: '77' };
    const own = sandbox.samplesOf('fingerprint', counter.registryId);
    const reference = parseIsoTemplate(readFileSync(own[0]!.replace(/\.tif$/, '.iso')));
    for (const position of [2, 7]) {
      await service.references.put(
        counter,
        { modality: 'fingerprint', finger: position, template: reference },
        {
          engine: 'counter scanner',
        },
      );
    }
    const [a, b] = await service.sandbox!.fingers.samplesPassing(counter.registryId);
    // positions 1 and 6 are not on record: fewer than two fingers to compare
    expect(await service.verifier.verify(counter, [finger(a!, 1), finger(b!, 6)])).toMatchObject([
      { decision: 'no_reference' },
    ]);
    expect((await rowsOf(counter)).map((r) => r.finger)).toEqual([2, 7]);
  });
});
