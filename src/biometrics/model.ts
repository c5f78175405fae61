/**
 * Types shared by the face and fingerprint halves of the biometrics context and its reference
 * store.
 */

/** Whose biometrics: a citizen (national population database) or a foreigner (immigration). */
export type Subject = { kind: 'citizen' | 'foreigner'; registryId: string };

export type Modality = 'face' | 'fingerprint';

/** ISO/IEC 19794-2 finger positions: 1 right thumb … 5 right little, 6 left thumb … 10 left little. */
export const FINGER_POSITIONS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;

export function isFingerPosition(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 10;
}
