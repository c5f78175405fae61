/**
 * The biometrics context as the composition root sees it: the sealed reference store, the face
 * and fingerprint verifiers reading their references from it, and the port the issuance flows
 * call (`verifierByKind`). With a sandbox verifier, missing references are enrolled from the
 * shared labelled samples it assigns each person; without one (production) only the store counts.
 */
import type { BiometricVerifier } from '../issuance/ports.ts';
import type { SandboxVerifier } from '../issuance/sandbox-verifier.ts';
import type { Platform } from '../platform/context.ts';
import type { NationalRegistries } from '../registries/ports.ts';
import type { FaceExtractor } from './face/extract.ts';
import { FaceVerifier, SandboxFaceReferences, verifierByKind } from './face/verifier.ts';
import { FingerprintVerifier, SandboxFingerprintReferences } from './fingerprint/verifier.ts';
import type { Subject } from './model.ts';
import { BiometricReferences } from './references.ts';
import {
  StoredFaceReferences,
  StoredFingerprintReferences,
  enrolSandboxReferences,
  type SandboxEnrolment,
} from './sources.ts';

export interface BiometricsService {
  references: BiometricReferences;
  face: FaceVerifier;
  fingerprint: FingerprintVerifier;
  /** Face captures to the face matcher, finger captures to the fingerprint matcher. */
  verifier: BiometricVerifier;
  /** Sandbox only: the sample-backed enrolment, with `samplesPassing` for tests and the demo. */
  sandbox: { faces: SandboxFaceReferences; fingers: SandboxFingerprintReferences } | null;
  /**
   * Sandbox only (a no-op without a sandbox): enrols the demo persons (or `subjects`) once;
   * faces only when an extractor is given (`await service.face.warmUp()`).
   */
  enrolSandbox(options?: { subjects?: Subject[]; extractor?: FaceExtractor | null }): Promise<SandboxEnrolment | null>;
}

export function createBiometricsService(
  platform: Platform,
  deps: { registries: NationalRegistries; sandbox?: SandboxVerifier | null },
): BiometricsService {
  const { registries } = deps;
  const references = new BiometricReferences(platform.db, platform.secrets, platform.clock);
  const sandbox = deps.sandbox
    ? { faces: new SandboxFaceReferences(deps.sandbox), fingers: new SandboxFingerprintReferences(deps.sandbox) }
    : null;
  const face = new FaceVerifier({
    registries,
    references: new StoredFaceReferences(references, sandbox?.faces ?? null),
    logger: platform.log,
  });
  const fingerprint = new FingerprintVerifier({
    registries,
    references: new StoredFingerprintReferences(references, sandbox?.fingers ?? null),
    logger: platform.log,
  });
  return {
    references,
    face,
    fingerprint,
    verifier: verifierByKind({ face, fingerprint }),
    sandbox,
    async enrolSandbox(options = {}) {
      if (!sandbox) return null;
      return enrolSandboxReferences(references, sandbox, { ...options, registries, logger: platform.log });
    },
  };
}
