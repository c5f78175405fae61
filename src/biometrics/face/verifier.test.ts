import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../test/database.ts';
import { SandboxVerifier } from '../../issuance/sandbox-verifier.ts';
import type { NationalRegistries } from '../../registries/ports.ts';
import { biometricsDataDir } from '../evaluation/samples.ts';
import { FaceExtractor } from './extract.ts';
import { compareTemplates, type FaceTemplate } from './template.ts';
import { DEFAULT_THRESHOLD, FaceVerifier, SandboxFaceReferences, verifierByKind, type Subject } from './verifier.ts';

/** Registries where everyone has a portrait on record, except the registry id '000000000000'. */
const registries = {
  identity: {
    biometricsOf: async (id: string) =>
      id === '000000000000' ? [] : [{ kind: 'face', sampleRef: null, capturedOn: '2024-01-01' }],
  },
  immigration: { biometricsOf: async () => [] },
} as unknown as NationalRegistries;

const sandbox = new SandboxVerifier(registries);
const references = new SandboxFaceReferences(sandbox);
const { log, lines } = memoryLogger();
const verifier = new FaceVerifier({ registries, references, logger: log });

/** A demo person (the sandbox gives them an LFW identity with ten images). */
const registryId = '079085001234';
const subject: Subject = { kind: 'citizen', registryId };
/** Someone else from the same source (similar capture conditions: the harder impostor case). */
const impostorCapture = path.join(biometricsDataDir(), 'faces', 'lfw-colin-powell', '5.jpg');
const face = (file: string) => ({ kind: 'face' as const, image: readFileSync(file) });

let extractor: FaceExtractor;
let reference: FaceTemplate;
let portrait: string;
let ownCapture: string;
beforeAll(async () => {
  extractor = await verifier.warmUp(); // the models, once per file
  reference = (await references.referenceOf(subject, extractor))!;
  [portrait, ownCapture] = (await references.samplesPassing(registryId, extractor)) as [string, string];
});

describe('FaceVerifier behind the verification port', () => {
  it('enrols the portrait on record as a template, once', async () => {
    expect(sandbox.identityOf('face', registryId)).toMatch(/^face:lfw-/);
    expect(impostorCapture).not.toContain(sandbox.identityOf('face', registryId)!.slice(5));
    const portraitTemplate = (await extractor.analyse(readFileSync(portrait))).template;
    expect(compareTemplates(reference, portraitTemplate).distance).toBe(0);
    expect(await references.referenceOf(subject, extractor)).toBe(reference);
  });

  it('offers as captures only the samples the capture checks accept', async () => {
    // the sandbox gives this person lfw-tony-blair, whose 1.jpg is a half-profile (pose)
    const blair = '001090000004';
    expect(sandbox.identityOf('face', blair)).toBe('face:lfw-tony-blair');
    const passing = await references.samplesPassing(blair, extractor);
    expect(passing).toHaveLength(9);
    expect(passing.some((f) => f.endsWith('/1.jpg'))).toBe(false);
    const [refused] = await verifier.verify({ kind: 'citizen', registryId: blair }, [
      face(sandbox.samplesOf('face', blair)[0]!),
    ]);
    expect(refused).toMatchObject({ decision: 'poor_quality', quality: ['pose'] });
  });

  it('matches the person’s own capture and refuses someone else’s', async () => {
    const [own] = await verifier.verify(subject, [face(ownCapture)]);
    expect(own).toMatchObject({ kind: 'face', decision: 'match', threshold: DEFAULT_THRESHOLD });
    expect(own!.score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
    expect(own!.engine).toMatch(/^face-api 1\.7\.15 \(tfjs 4\.22\.0 wasm\)$/);
    const [other] = await verifier.verify(subject, [face(impostorCapture)]);
    expect(other).toMatchObject({ kind: 'face', decision: 'no_match' });
    expect(other!.score).toBeLessThan(DEFAULT_THRESHOLD);
  });

  it('asks for a retake on a bad capture, with the reason, before looking at the record', async () => {
    const [bad] = await verifier.verify(subject, [{ kind: 'face', image: Buffer.from('not a photo') }]);
    expect(bad).toEqual({
      kind: 'face',
      decision: 'poor_quality',
      score: null,
      threshold: DEFAULT_THRESHOLD,
      quality: ['not_an_image'],
      engine: expect.any(String),
    });
    const bytes = readFileSync(ownCapture);
    const [cut] = await verifier.verify({ kind: 'citizen', registryId: '000000000000' }, [
      { kind: 'face', image: bytes.subarray(0, bytes.length >> 1) },
    ]);
    expect(cut).toMatchObject({ decision: 'poor_quality', quality: ['truncated_image'] });
  });

  it('says no_reference without a portrait on record, and ignores finger captures', async () => {
    const [none] = await verifier.verify({ kind: 'citizen', registryId: '000000000000' }, [face(ownCapture)]);
    expect(none).toMatchObject({ decision: 'no_reference', score: null });
    expect(await verifier.verify(subject, [{ kind: 'fingerprint', image: Buffer.from('II*\0'), finger: 2 }])).toEqual(
      [],
    );
  });

  it('routes by kind: face to the face matcher, fingers to the sandbox rule', async () => {
    const combined = verifierByKind({ face: verifier, fingerprint: sandbox });
    const finger = sandbox.samplesOf('fingerprint', registryId)[0]!;
    const results = await combined.verify(subject, [
      face(ownCapture),
      { kind: 'fingerprint', image: readFileSync(finger), finger: 2 },
    ]);
    expect(results.map((r) => [r.kind, r.engine.split(' ')[0]])).toEqual([
      ['face', 'face-api'],
      ['fingerprint', 'sandbox'],
    ]);
  });

  it('keeps the template out of results and log lines', async () => {
    const results = await verifier.verify(subject, [face(ownCapture)]);
    const capture = await extractor.analyse(readFileSync(ownCapture));
    const resultText = JSON.stringify(results);
    const logText = JSON.stringify(lines());
    expect(lines().some((l) => l.msg === 'face verification')).toBe(true);
    for (const template of [reference, capture.template]) {
      // the check itself works: the template's numbers are found where they are
      expect(template.occursIn(JSON.stringify(Array.from(numbersOf(template))))).toBe(true);
      expect(template.occursIn(resultText)).toBe(false);
      expect(template.occursIn(logText)).toBe(false);
    }
    // and serialising or printing the objects themselves shows nothing either
    expect(capture.template.occursIn(JSON.stringify(capture))).toBe(false);
    expect(capture.template.occursIn(inspect(capture, { depth: 10 }))).toBe(false);
    expect(String(reference)).toBe('[face template]');
  });
});

/** The numbers, recovered from distances to unit vectors (the class gives no accessor). */
function numbersOf(template: FaceTemplate): Float32Array {
  // d(t, 0)² − d(t, e_i)² = 2 t_i − 1  ⇒  t_i = (d0² − di² + 1) / 2
  const make = (v: Float32Array) =>
    (template.constructor as unknown as { fromDescriptor(d: Float32Array): FaceTemplate }).fromDescriptor(v);
  const zero = make(new Float32Array(128));
  const d0 = template.distanceTo(zero) ** 2;
  return Float32Array.from({ length: 128 }, (_, i) => {
    const e = new Float32Array(128);
    e[i] = 1;
    return (d0 - template.distanceTo(make(e)) ** 2 + 1) / 2;
  });
}
