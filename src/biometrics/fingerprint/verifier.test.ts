import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../test/database.ts';
import { SandboxVerifier } from '../../issuance/sandbox-verifier.ts';
import type { NationalRegistries } from '../../registries/ports.ts';
import type { Subject } from '../model.ts';
import { grayTiff } from '../testing.ts';
import { DEFAULT_THRESHOLD } from './match.ts';
import {
  FINGERPRINT_ENGINE,
  FingerprintVerifier,
  SandboxFingerprintReferences,
  readFingerCapture,
} from './verifier.ts';

/** Registries where everyone has fingerprints on record, except the registry id '000000000000'. */
const registries = {
  identity: {
    biometricsOf: async (id: string) =>
      id === '000000000000' ? [] : [{ kind: 'fingerprint', sampleRef: null, capturedOn: '2024-01-01' }],
  },
  immigration: { biometricsOf: async () => [] },
} as unknown as NationalRegistries;

const sandbox = new SandboxVerifier(registries);
const references = new SandboxFingerprintReferences(sandbox);
const { log, lines } = memoryLogger();
const verifier = new FingerprintVerifier({ registries, references, logger: log });

/** The sandbox gives this person fvc2002-db2-b/107 (eight impressions of one finger). */
const subject: Subject = { kind: 'citizen', registryId: '079085001234' };
/** … and this one fvc2002-db2-b/109, whose first impression (the reference) is a poor one. */
const hard: Subject = { kind: 'citizen', registryId: '35' };
const finger = (file: string, position: number) => ({
  kind: 'fingerprint' as const,
  image: readFileSync(file),
  finger: position,
});

let own: string[];
beforeAll(async () => {
  own = await references.samplesPassing(subject.registryId);
});

describe('FingerprintVerifier behind the verification port', () => {
  it('enrols impression 1 as every finger on record, and offers the other impressions that pass', async () => {
    expect(sandbox.identityOf('fingerprint', subject.registryId)).toBe('finger:fvc2002-db2-b/107');
    expect(await references.referenceOf(subject, 2)).toBe(await references.referenceOf(subject, 7));
    expect(own.map((f) => f.split('/').pop())).toEqual([2, 3, 4, 5, 6, 7, 8].map((i) => `107_${i}.tif`));
    // measured on the shared set: only _2 and _5 of finger 109 reach the threshold against _1
    expect(sandbox.identityOf('fingerprint', hard.registryId)).toBe('finger:fvc2002-db2-b/109');
    expect((await references.samplesPassing(hard.registryId)).map((f) => f.split('/').pop())).toEqual([
      '109_2.tif',
      '109_5.tif',
    ]);
  });

  it('matches two of the person’s own fingers (level 2) and refuses an impostor’s', async () => {
    const [genuine] = await verifier.verify(subject, [finger(own[0]!, 2), finger(own[3]!, 7)]);
    expect(genuine).toMatchObject({
      kind: 'fingerprint',
      decision: 'match',
      threshold: DEFAULT_THRESHOLD,
      engine: FINGERPRINT_ENGINE,
      quality: [],
    });
    expect(genuine!.score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
    expect(String(genuine!.score)).toMatch(/^0\.\d{1,4}$/);
    const [poor, fair] = await references.samplesPassing(hard.registryId);
    const [hardOne] = await verifier.verify(hard, [finger(poor!, 1), finger(fair!, 6)]);
    expect(hardOne).toMatchObject({ decision: 'match' });

    const impostor = sandbox.impostorSamples('fingerprint', subject.registryId);
    expect(impostor[0]).not.toContain('/107_');
    const [other] = await verifier.verify(subject, [finger(impostor[1]!, 2), finger(impostor[2]!, 7)]);
    expect(other).toMatchObject({ kind: 'fingerprint', decision: 'no_match', quality: [] });
    expect(other!.score).toBeLessThan(DEFAULT_THRESHOLD);
    // one own finger and one impostor's: level 2 needs both
    const [mixed] = await verifier.verify(subject, [finger(own[1]!, 2), finger(impostor[3]!, 7)]);
    expect(mixed).toMatchObject({ decision: 'no_match' });
  });

  it('asks for a retake with the reason: not a TIFF, truncated, too few minutiae, one finger', async () => {
    const bytes = readFileSync(own[0]!);
    const retake = async (captures: Parameters<FingerprintVerifier['verify']>[1]) =>
      (await verifier.verify(subject, captures))[0];
    expect(
      await retake([{ kind: 'fingerprint', image: Buffer.from('not a scan'), finger: 2 }, finger(own[1]!, 7)]),
    ).toEqual({
      kind: 'fingerprint',
      decision: 'poor_quality',
      score: null,
      threshold: DEFAULT_THRESHOLD,
      quality: ['not_an_image'],
      engine: FINGERPRINT_ENGINE,
    });
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...Buffer.alloc(64)]);
    expect(await retake([{ kind: 'fingerprint', image: jpeg, finger: 2 }, finger(own[1]!, 7)])).toMatchObject({
      quality: ['not_an_image'],
    });
    const cut = bytes.subarray(0, bytes.length >> 1);
    expect(await retake([{ kind: 'fingerprint', image: cut, finger: 2 }, finger(own[1]!, 7)])).toMatchObject({
      decision: 'poor_quality',
      quality: ['truncated_image'],
    });
    const blank = grayTiff(300, 400, new Uint8Array(300 * 400).fill(200), 500);
    expect(await retake([{ kind: 'fingerprint', image: blank, finger: 2 }, finger(own[1]!, 7)])).toMatchObject({
      decision: 'poor_quality',
      quality: ['too_few_minutiae'],
    });
    expect(await retake([finger(own[0]!, 2)])).toMatchObject({
      decision: 'poor_quality',
      quality: ['too_few_fingers'],
    });
    // the same finger twice is one finger
    expect(await retake([finger(own[0]!, 2), finger(own[1]!, 2)])).toMatchObject({ quality: ['too_few_fingers'] });
    expect(await retake([{ ...finger(own[0]!, 2), finger: undefined }, finger(own[1]!, 7)])).toMatchObject({
      quality: ['unknown_finger'],
    });
  });

  it('reads a capture into minutiae or names what is wrong with it', () => {
    const read = readFingerCapture(readFileSync(own[0]!));
    expect(read.ok && read.template.minutiae.length).toBeGreaterThanOrEqual(12);
    expect(readFingerCapture(new Uint8Array(0))).toEqual({ ok: false, quality: 'not_an_image' });
    expect(readFingerCapture(grayTiff(40, 40, new Uint8Array(1600)))).toEqual({
      ok: false,
      quality: 'image_too_small',
    });
    expect(readFingerCapture(grayTiff(100, 100, new Uint8Array(10_000), 100))).toEqual({
      ok: false,
      quality: 'unsupported_resolution',
    });
  });

  it('says no_reference without fingerprints on record, and ignores face captures', async () => {
    const [none] = await verifier.verify({ kind: 'citizen', registryId: '000000000000' }, [
      finger(own[0]!, 2),
      finger(own[1]!, 7),
    ]);
    expect(none).toMatchObject({ decision: 'no_reference', score: null, quality: [] });
    expect(await verifier.verify(subject, [{ kind: 'face', image: readFileSync(own[0]!) }])).toEqual([]);
  });

  it('logs the decision and the timing, never the template', async () => {
    const logged = lines().filter((l) => l.msg === 'fingerprint verification');
    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged) {
      const own = Object.keys(line).filter((k) => !['level', 'time', 'msg', 'service', 'pid', 'hostname'].includes(k));
      expect(own.sort()).toEqual(['check', 'fingers', 'matchingFingers', 'ms', 'subjectKind']);
      expect(Object.keys(line.check as object).sort()).toEqual(['decision', 'kind', 'quality', 'score']);
    }
  });
});
