import type { Modality } from './model.ts';

/** Row types of the tables this context owns (schema `biometrics`), keyed 'schema.table' for Kysely. */
export interface BiometricsTables {
  'biometrics.reference_templates': ReferenceTemplateRow;
}

/**
 * One reference template on record: the portrait's face template (finger 0) or one finger's
 * ISO/IEC 19794-2 record (finger 1–10), sealed with the platform's secret box under a context
 * that names the subject, the modality and the finger (`references.ts`), so a value copied into
 * another row does not open.
 */
export interface ReferenceTemplateRow {
  subject_kind: 'citizen' | 'foreigner';
  registry_id: string;
  modality: Modality;
  /** ISO/IEC 19794-2 finger position 1–10; 0 for a face. */
  finger: number;
  /** `v1.<keyId>.<iv>.<ciphertext>.<tag>` (platform/crypto.ts). */
  sealed_template: string;
  /** The matcher that made the template and its version (a face template is tied to its model). */
  engine: string;
  created_at: Date;
}
