import type { Executor } from '../../platform/database.ts';
import type { BiometricReference, RegistryId } from '../model.ts';
import { biometricFrom, parseRegistryId } from './mapping.ts';

/** The biometric references on record for a citizen or a foreigner (one table holds both). */
export async function biometricReferencesOf(
  db: Executor,
  subjectKind: 'citizen' | 'foreigner',
  registryId: RegistryId,
): Promise<BiometricReference[]> {
  const id = parseRegistryId(registryId);
  if (id === null) return [];
  const rows = await db
    .selectFrom('sandbox.biometric_references')
    .select(['kind', 'sample_ref', 'captured_on'])
    .where('subject_kind', '=', subjectKind)
    .where('subject_id', '=', id)
    .orderBy('kind')
    .execute();
  return rows.map(biometricFrom);
}
