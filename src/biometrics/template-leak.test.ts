import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger, testPlatform, useTestDatabase } from '../../test/database.ts';
import { SandboxVerifier } from '../issuance/sandbox-verifier.ts';
import type { Capture } from '../issuance/ports.ts';
import type { NationalRegistries } from '../registries/ports.ts';
import type { FaceExtractor } from './face/extract.ts';
import type { FaceTemplate } from './face/template.ts';
import { readFingerCapture } from './fingerprint/verifier.ts';
import type { Subject } from './model.ts';
import { templateBytes } from './references.ts';
import { createBiometricsService, type BiometricsService } from './service.ts';
import { StoredFaceReferences, type SandboxEnrolment } from './sources.ts';
import { carriesBytes } from './testing.ts';

/**
 * Threat: biometric templates leaking out of the reference store and the matchers, through log
 * lines, verification results or the stored rows. Runs real verifications (face and fingers,
 * genuine, impostor, bad captures) with a capturing logger, then looks for every template
 * involved (references and captures) as numbers, hex, base64 and base64url.
 */
const t = useTestDatabase();
const { log, lines } = memoryLogger();

const registries = {
  identity: {
    biometricsOf: async () => [
      { kind: 'face', sampleRef: null, capturedOn: '2024-01-01' },
      { kind: 'fingerprint', sampleRef: null, capturedOn: '2024-01-01' },
    ],
  },
  immigration: { biometricsOf: async () => [] },
} as unknown as NationalRegistries;
const sandbox = new SandboxVerifier(registries);
/** Demo citizens 1 (Nguyễn Văn An) and 2 (Trần Thị Bình). */
const an: Subject = { kind: 'citizen', registryId: '1' };
const binh: Subject = { kind: 'citizen', registryId: '2' };

let service: BiometricsService;
let extractor: FaceExtractor;
let enrolment: SandboxEnrolment;
let ownFace: string;
let ownFingers: string[];
const results: unknown[] = [];
const faceOf = (file: string): Capture => ({ kind: 'face', image: readFileSync(file) });
const fingerOf = (file: string, position: number): Capture => ({
  kind: 'fingerprint',
  image: readFileSync(file),
  finger: position,
});

beforeAll(async () => {
  service = createBiometricsService(testPlatform(t.db, { log }), { registries, sandbox });
  extractor = await service.face.warmUp(); // the face models, once for the file
  enrolment = (await service.enrolSandbox({ subjects: [an, binh], extractor }))!;
  ownFace = (await service.sandbox!.faces.samplesPassing(an.registryId, extractor))[1]!;
  ownFingers = await service.sandbox!.fingers.samplesPassing(an.registryId);
  const impostorFingers = sandbox.impostorSamples('fingerprint', an.registryId);
  const runs: Capture[][] = [
    [faceOf(ownFace), fingerOf(ownFingers[0]!, 2), fingerOf(ownFingers[1]!, 7)],
    [faceOf((await service.sandbox!.faces.samplesPassing(binh.registryId, extractor))[0]!)],
    [fingerOf(impostorFingers[1]!, 2), fingerOf(impostorFingers[2]!, 7)],
    [{ kind: 'face', image: Buffer.from('not a photo') }],
    [{ kind: 'fingerprint', image: readFileSync(ownFingers[0]!).subarray(0, 5000), finger: 2 }],
  ];
  for (const captures of runs) results.push(await service.verifier.verify(an, captures));
});

describe('templates do not leak', () => {
  it('the verifications ran and were logged (the search below has something to search)', () => {
    expect(enrolment).toMatchObject({ enrolled: { face: 2, fingerprint: 2 } });
    expect(results.flat()).toMatchObject([
      { kind: 'face', decision: 'match' },
      { kind: 'fingerprint', decision: 'match' },
      { kind: 'face', decision: 'no_match' },
      { kind: 'fingerprint', decision: 'no_match' },
      { kind: 'face', decision: 'poor_quality' },
      { kind: 'fingerprint', decision: 'poor_quality' },
    ]);
    const messages = lines().map((l) => l.msg);
    expect(messages.filter((m) => m === 'face verification')).toHaveLength(3);
    expect(messages.filter((m) => m === 'fingerprint verification')).toHaveLength(3);
    expect(messages).toContain('sandbox biometric references enrolled');
  });

  it('no template, reference or capture, appears in log output, results or stored rows', async () => {
    const resultText = JSON.stringify(results);
    const logText = JSON.stringify(lines());
    const rows = await sql<{
      sealed_template: string;
    }>`select sealed_template from biometrics.reference_templates`.execute(t.db);
    const stored = rows.rows.map((r) => r.sealed_template).join('\n');
    expect(rows.rows).toHaveLength(2 * 11);

    // faces: the references on record and the capture's template
    const faces: FaceTemplate[] = [
      (await service.references.get(an, { modality: 'face' }))!.template,
      (await service.references.get(binh, { modality: 'face' }))!.template,
      (await extractor.analyse(readFileSync(ownFace))).template,
    ];
    // fingers: the reference ISO record (as stored) and the captures' templates
    const reference = (await service.references.get(an, { modality: 'fingerprint', finger: 2 }))!.template;
    const captured = ownFingers.slice(0, 2).map((f) => {
      const read = readFingerCapture(readFileSync(f));
      if (!read.ok) throw new Error(read.quality);
      return read.template;
    });
    const records = [reference, ...captured].map((template) =>
      templateBytes({ modality: 'fingerprint', finger: 2, template }),
    );
    // the searches work: each finds its template where it is
    expect(faces[0]!.occursIn(faces[0]!.sealableBytes().toString('base64url'))).toBe(true);
    expect(carriesBytes(`"${records[0]!.toString('base64')}"`, records[0]!, 28)).toBe(true);

    for (const [where, text] of Object.entries({ resultText, logText, stored })) {
      for (const face of faces) expect(face.occursIn(text), `face template in ${where}`).toBe(false);
      for (const record of records) {
        // past the 24-byte header (format, size, resolution: not personal): the minutiae
        for (const from of [24, 28, 52, 100]) {
          expect(carriesBytes(text, record, from), `ISO record bytes ${from}+ in ${where}`).toBe(false);
        }
      }
      for (const template of [reference, ...captured]) {
        const m = template.minutiae.slice(0, 3);
        expect(text).not.toContain(JSON.stringify(m).slice(1, -1));
        expect(text).not.toContain(`"minutiae"`);
      }
    }
    // results carry the check's fields only
    for (const check of results.flat() as Record<string, unknown>[]) {
      expect(Object.keys(check).sort()).toEqual(['decision', 'engine', 'kind', 'quality', 'score', 'threshold']);
    }
  });

  it('a stored reference logged by mistake prints no template', async () => {
    const { log: probe, lines: probeLines } = memoryLogger();
    const face = await service.references.get(an, { modality: 'face' });
    const finger = await service.references.get(an, { modality: 'fingerprint', finger: 2 });
    probe.info({ face, finger }, 'oops');
    const text = JSON.stringify(probeLines());
    expect(face!.template.occursIn(text)).toBe(false);
    expect(text).not.toContain(JSON.stringify(finger!.template.minutiae[0]));
    expect(String(face!.template)).toBe('[face template]');
  });

  it('the face reference is read back from the store by a process without the samples', async () => {
    const fromStore = await new StoredFaceReferences(service.references).referenceOf(an, extractor);
    const fromSamples = await service.sandbox!.faces.referenceOf(an, extractor);
    expect(fromStore!.distanceTo(fromSamples!)).toBe(0);
  });
});
