/**
 * The reference store: each subject's reference templates (the portrait's face template, each
 * finger's ISO/IEC 19794-2 record), sealed at rest with the platform's secret box
 * (AES-256-GCM under the master keyring, which never lives in the database). The additional data
 * of each seal names the subject, the modality and the finger, so a sealed value copied into
 * another row, or read for another finger, does not open. Templates leave this store only to the
 * matchers (`sources.ts`); nothing here logs them, and no image is ever stored.
 */
import type { Clock } from '../platform/clock.ts';
import { systemClock } from '../platform/clock.ts';
import type { SecretBox } from '../platform/crypto.ts';
import type { Db } from '../platform/database.ts';
import { FaceTemplate } from './face/template.ts';
import { encodeIsoTemplate, parseIsoTemplate } from './fingerprint/iso19794-2.ts';
import type { FingerprintTemplate } from './fingerprint/model.ts';
import { isFingerPosition, type Modality, type Subject } from './model.ts';

/** Which reference: the face, or one finger by its ISO/IEC 19794-2 position (1–10). */
export type ReferenceKey = { modality: 'face' } | { modality: 'fingerprint'; finger: number };

export type ReferenceTemplate =
  | { modality: 'face'; template: FaceTemplate }
  | { modality: 'fingerprint'; finger: number; template: FingerprintTemplate };

export interface StoredReference<T> {
  template: T;
  /** The matcher (and version) that made it. */
  engine: string;
  createdAt: Date;
}

/** The seal's additional data: binds a sealed template to its subject, modality and finger. */
export function sealContext(subject: Subject, modality: Modality, finger: number): string {
  return `biometrics.reference:v1:${subject.kind}:${subject.registryId}:${modality}:${finger}`;
}

function fingerOf(key: ReferenceKey): number {
  if (key.modality === 'face') return 0;
  if (!isFingerPosition(key.finger)) throw new RangeError(`finger position ${key.finger} is not 1–10`);
  return key.finger;
}

/** A template as the bytes that get sealed (ISO record for a finger, 'FT01' + floats for a face). */
export function templateBytes(reference: ReferenceTemplate): Buffer {
  if (reference.modality === 'face') return reference.template.sealableBytes();
  const t = reference.template;
  // whole pixels inside the image, as the ISO record requires (extraction may leave x = width − 0.4)
  const clamp = (v: number, size: number) => Math.min(Math.max(Math.round(v), 0), Math.max(size - 1, 0));
  const minutiae = t.minutiae.map((m) => ({ ...m, x: clamp(m.x, t.width), y: clamp(m.y, t.height) }));
  return Buffer.from(encodeIsoTemplate({ ...t, minutiae }, { fingerPosition: reference.finger }));
}

export class BiometricReferences {
  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
    private readonly clock: Clock = systemClock,
  ) {}

  /**
   * Stores a reference, sealed. Enrolment happens once: an existing reference is kept (returns
   * false) unless `replace` is set (re-enrolment, e.g. after a new capture at the counter or a new
   * face model).
   */
  async put(
    subject: Subject,
    reference: ReferenceTemplate,
    options: { engine: string; replace?: boolean },
  ): Promise<boolean> {
    const finger = fingerOf(reference);
    const sealed = this.secrets.seal(templateBytes(reference), sealContext(subject, reference.modality, finger));
    const row = {
      subject_kind: subject.kind,
      registry_id: subject.registryId,
      modality: reference.modality,
      finger,
      sealed_template: sealed,
      engine: options.engine,
      created_at: this.clock.now(),
    };
    const written = await this.db
      .insertInto('biometrics.reference_templates')
      .values(row)
      .onConflict((oc) => {
        const target = oc.columns(['subject_kind', 'registry_id', 'modality', 'finger']);
        return options.replace
          ? target.doUpdateSet({ sealed_template: sealed, engine: options.engine, created_at: row.created_at })
          : target.doNothing();
      })
      .returning('finger')
      .executeTakeFirst();
    return written !== undefined;
  }

  /** Opens the subject's reference: the template object, or null when none is on record. */
  get(subject: Subject, key: { modality: 'face' }): Promise<StoredReference<FaceTemplate> | null>;
  get(
    subject: Subject,
    key: { modality: 'fingerprint'; finger: number },
  ): Promise<StoredReference<FingerprintTemplate> | null>;
  async get(
    subject: Subject,
    key: ReferenceKey,
  ): Promise<StoredReference<FaceTemplate> | StoredReference<FingerprintTemplate> | null> {
    const finger = fingerOf(key);
    const row = await this.db
      .selectFrom('biometrics.reference_templates')
      .select(['sealed_template', 'engine', 'created_at'])
      .where('subject_kind', '=', subject.kind)
      .where('registry_id', '=', subject.registryId)
      .where('modality', '=', key.modality)
      .where('finger', '=', finger)
      .executeTakeFirst();
    if (!row) return null;
    const bytes = this.secrets.open(row.sealed_template, sealContext(subject, key.modality, finger));
    const stored = { engine: row.engine, createdAt: row.created_at };
    return key.modality === 'face'
      ? { ...stored, template: FaceTemplate.fromSealableBytes(bytes) }
      : { ...stored, template: parseIsoTemplate(bytes) };
  }

  /** Whether a reference is on record (the face, one finger, or any finger when none is named). */
  async has(
    subject: Subject,
    key: { modality: 'face' } | { modality: 'fingerprint'; finger?: number },
  ): Promise<boolean> {
    let query = this.db
      .selectFrom('biometrics.reference_templates')
      .select('finger')
      .where('subject_kind', '=', subject.kind)
      .where('registry_id', '=', subject.registryId)
      .where('modality', '=', key.modality);
    if (key.modality === 'face') query = query.where('finger', '=', 0);
    else if (key.finger !== undefined)
      query = query.where('finger', '=', fingerOf({ modality: 'fingerprint', finger: key.finger }));
    return (await query.limit(1).executeTakeFirst()) !== undefined;
  }

  /** The finger positions on record for a subject, in order. */
  async fingersOf(subject: Subject): Promise<number[]> {
    const rows = await this.db
      .selectFrom('biometrics.reference_templates')
      .select('finger')
      .where('subject_kind', '=', subject.kind)
      .where('registry_id', '=', subject.registryId)
      .where('modality', '=', 'fingerprint')
      .orderBy('finger')
      .execute();
    return rows.map((r) => r.finger);
  }
}
