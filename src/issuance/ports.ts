import type { BiometricCheck } from './model.ts';

/**
 * The biometric verification port (Decree 69/2024 Arts 10–12: level 1 matches a self-captured face
 * against the portrait on record; level 2 matches face and fingerprints captured at the counter).
 * The issuance flows call only this; the sandbox verifier (sandbox-verifier.ts) answers until the
 * biometrics context plugs its matchers in behind the same interface. Captures are used for the
 * decision and dropped: nothing here is stored (DOMAIN.md §9).
 */
export interface Capture {
  kind: 'face' | 'fingerprint';
  /** The image as uploaded (JPEG, PNG or 500 dpi grayscale TIFF for fingers). */
  image: Buffer;
  /** ISO/IEC 19794-2 finger position (1 = right thumb … 10 = left little), fingers only. */
  finger?: number;
}

export interface BiometricVerifier {
  /** One result per kind captured (several fingers give one fingerprint decision). */
  verify(
    subject: { kind: 'citizen' | 'foreigner'; registryId: string },
    captures: Capture[],
  ): Promise<BiometricCheck[]>;
}
