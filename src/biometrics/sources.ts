/**
 * Reference sources backed by the sealed reference store, for the face and fingerprint
 * verifiers. In sandbox mode a person without a reference is enrolled from the shared labelled
 * samples the sandbox assigns them (`SandboxFaceReferences`, `SandboxFingerprintReferences`) and
 * the template is stored sealed, so enrolment happens once per person across processes and
 * restarts; `enrolSandboxReferences` does it ahead of time for the demo persons.
 */
import type { SandboxVerifier } from '../issuance/sandbox-verifier.ts';
import type { Logger } from '../platform/logger.ts';
import { DEMO_BIOMETRICS } from '../registries/demo.ts';
import type { NationalRegistries } from '../registries/ports.ts';
import type { FaceExtractor } from './face/extract.ts';
import type { FaceTemplate } from './face/template.ts';
import { SandboxFaceReferences, type FaceReferenceSource } from './face/verifier.ts';
import type { FingerprintTemplate } from './fingerprint/model.ts';
import {
  FINGERPRINT_ENGINE,
  SandboxFingerprintReferences,
  type FingerprintReferenceSource,
} from './fingerprint/verifier.ts';
import { FINGER_POSITIONS, isFingerPosition, type Modality, type Subject } from './model.ts';
import type { BiometricReferences } from './references.ts';

/**
 * The engine recorded with a face template: the descriptor belongs to face-api's recognition
 * model, so a template made by another version is not comparable and is not used.
 */
export function faceEngineOf(extractor: FaceExtractor): string {
  return `face-api ${extractor.runtime.versions.faceApi}`;
}

export class StoredFaceReferences implements FaceReferenceSource {
  constructor(
    private readonly store: BiometricReferences,
    /** Sandbox only: enrols a missing reference from the samples (null in production). */
    private readonly sandbox: SandboxFaceReferences | null = null,
  ) {}

  async referenceOf(subject: Subject, extractor: FaceExtractor): Promise<FaceTemplate | null> {
    const engine = faceEngineOf(extractor);
    const stored = await this.store.get(subject, { modality: 'face' });
    if (stored && stored.engine === engine) return stored.template;
    // none, or made by another face model: only the sandbox can (re-)enrol here
    if (!this.sandbox) return null;
    const template = await this.sandbox.referenceOf(subject, extractor);
    if (!template) return null;
    await this.store.put(subject, { modality: 'face', template }, { engine, replace: stored !== null });
    // another process may have enrolled first: use what the store holds
    return (await this.store.get(subject, { modality: 'face' }))?.template ?? template;
  }
}

export class StoredFingerprintReferences implements FingerprintReferenceSource {
  constructor(
    private readonly store: BiometricReferences,
    /** Sandbox only: enrols a person without any finger on record from the samples. */
    private readonly sandbox: SandboxFingerprintReferences | null = null,
  ) {}

  async referenceOf(subject: Subject, finger: number): Promise<FingerprintTemplate | null> {
    if (!isFingerPosition(finger)) return null;
    const stored = await this.store.get(subject, { modality: 'fingerprint', finger });
    if (stored) return stored.template;
    // a person enrolled at the counter keeps exactly the fingers taken there
    if (!this.sandbox || (await this.store.has(subject, { modality: 'fingerprint' }))) return null;
    if (!(await enrolSandboxFingers(this.store, this.sandbox, subject))) return null;
    return (await this.store.get(subject, { modality: 'fingerprint', finger }))?.template ?? null;
  }
}

/** Stores the sandbox reference under every finger position; false when the samples give none. */
async function enrolSandboxFingers(
  store: BiometricReferences,
  sandbox: SandboxFingerprintReferences,
  subject: Subject,
): Promise<boolean> {
  const template = await sandbox.referenceOf(subject, 1);
  if (!template) return false;
  for (const finger of FINGER_POSITIONS) {
    await store.put(subject, { modality: 'fingerprint', finger, template }, { engine: FINGERPRINT_ENGINE });
  }
  return true;
}

/** The demo persons with biometrics on record in every sandbox (registries/demo.ts). */
export const DEMO_BIOMETRIC_SUBJECTS: Subject[] = [
  ...new Map(
    DEMO_BIOMETRICS.map((r) => {
      const subject: Subject = { kind: r.subject_kind, registryId: String(r.subject_id) };
      return [`${subject.kind}:${subject.registryId}`, subject] as const;
    }),
  ).values(),
];

export interface SandboxEnrolment {
  subjects: number;
  /** References written now (a person's ten fingers count once). */
  enrolled: { face: number; fingerprint: number };
  /** Already on record, not on the registry's record, or no sample identity. */
  skipped: { face: number; fingerprint: number };
  ms: number;
}

type SandboxSamples = Pick<SandboxVerifier, 'identityOf' | 'samplesOf'>;

/**
 * Enrols the sandbox references of `subjects` (default: the demo persons with biometrics on
 * record) into the store, once: a person already on record is skipped, so calling it at every
 * start costs one query per person. Fingers need no model (about 0.1 s per new identity); faces
 * are enrolled only when an extractor is given (load it with `FaceExtractor.create()` +
 * `warmUp()`, or `FaceVerifier.warmUp()`). With `registries`, only what the registry holds on
 * record is enrolled.
 */
export async function enrolSandboxReferences(
  store: BiometricReferences,
  sandbox: SandboxSamples | { faces: SandboxFaceReferences; fingers: SandboxFingerprintReferences },
  options: {
    subjects?: Subject[];
    extractor?: FaceExtractor | null;
    registries?: NationalRegistries;
    logger?: Logger;
  } = {},
): Promise<SandboxEnrolment> {
  const started = performance.now();
  const { faces, fingers } =
    'faces' in sandbox
      ? sandbox
      : { faces: new SandboxFaceReferences(sandbox), fingers: new SandboxFingerprintReferences(sandbox) };
  const subjects = options.subjects ?? DEMO_BIOMETRIC_SUBJECTS;
  const result: SandboxEnrolment = {
    subjects: subjects.length,
    enrolled: { face: 0, fingerprint: 0 },
    skipped: { face: 0, fingerprint: 0 },
    ms: 0,
  };
  const extractor = options.extractor ?? null;
  for (const subject of subjects) {
    let onRecord: Set<Modality> = new Set(['face', 'fingerprint']);
    if (options.registries) {
      const registry = subject.kind === 'citizen' ? options.registries.identity : options.registries.immigration;
      onRecord = new Set((await registry.biometricsOf(subject.registryId)).map((r) => r.kind));
    }
    // fingers
    if (!onRecord.has('fingerprint') || (await store.has(subject, { modality: 'fingerprint' }))) {
      result.skipped.fingerprint++;
    } else if (await enrolSandboxFingers(store, fingers, subject)) result.enrolled.fingerprint++;
    else result.skipped.fingerprint++;
    // face
    if (!extractor) continue;
    const engine = faceEngineOf(extractor);
    const stored = onRecord.has('face') ? await store.get(subject, { modality: 'face' }) : null;
    if (!onRecord.has('face') || stored?.engine === engine) {
      result.skipped.face++;
      continue;
    }
    const template = await faces.referenceOf(subject, extractor);
    if (template && (await store.put(subject, { modality: 'face', template }, { engine, replace: stored !== null }))) {
      result.enrolled.face++;
    } else result.skipped.face++;
  }
  result.ms = Math.round(performance.now() - started);
  options.logger?.info(
    { subjects: result.subjects, enrolled: result.enrolled, skipped: result.skipped, ms: result.ms },
    'sandbox biometric references enrolled',
  );
  return result;
}
