import type { Executor } from '../../platform/database.ts';
import { biometricReferencesOf } from './biometrics.ts';
import type { Foreigner, ForeignerRef } from '../model.ts';
import type { ImmigrationRegistry } from '../ports.ts';
import type { ForeignerRow } from '../tables.ts';
import { foreignerFrom, foreignerRefFrom, parseRegistryId } from './mapping.ts';

/** The Immigration DB over the sandbox schema. */
export function sandboxImmigrationRegistry(db: Executor): ImmigrationRegistry {
  async function complete(rows: ForeignerRow[]): Promise<Foreigner[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [cards, biometrics] = await Promise.all([
      db.selectFrom('sandbox.residence_cards').selectAll().where('foreigner_id', 'in', ids).execute(),
      db
        .selectFrom('sandbox.biometric_references')
        .select(['subject_id', 'kind'])
        .where('subject_kind', '=', 'foreigner')
        .where('subject_id', 'in', ids)
        .execute(),
    ]);
    return rows.map((f) =>
      foreignerFrom(
        f,
        cards.find((c) => c.foreigner_id === f.id) ?? null,
        biometrics.filter((b) => b.subject_id === f.id),
      ),
    );
  }

  return {
    async findByPassport(country, passportNumber) {
      const rows = await db
        .selectFrom('sandbox.foreigners')
        .selectAll()
        .where('passport_number', '=', passportNumber.trim().toUpperCase())
        .where('passport_country', '=', country.trim().toUpperCase())
        .execute();
      return (await complete(rows))[0] ?? null;
    },

    async findByPassportNumber(passportNumber) {
      const rows = await db
        .selectFrom('sandbox.foreigners')
        .selectAll()
        .where('passport_number', '=', passportNumber.trim().toUpperCase())
        .orderBy('passport_country')
        .execute();
      return complete(rows);
    },

    async findById(registryId) {
      const id = parseRegistryId(registryId);
      if (id === null) return null;
      const rows = await db.selectFrom('sandbox.foreigners').selectAll().where('id', '=', id).execute();
      return (await complete(rows))[0] ?? null;
    },

    async familyOf(registryId) {
      const id = parseRegistryId(registryId);
      if (id === null) return null;
      const exists = await db.selectFrom('sandbox.foreigners').select('id').where('id', '=', id).executeTakeFirst();
      if (!exists) return null;
      const [relatives, children] = await Promise.all([
        db
          .selectFrom('sandbox.foreigner_kinships')
          .select(['relative_id', 'relation'])
          .where('foreigner_id', '=', id)
          .execute(),
        db
          .selectFrom('sandbox.foreigner_kinships')
          .select('foreigner_id')
          .where('relative_id', '=', id)
          .where('relation', 'in', ['father', 'mother'])
          .execute(),
      ]);
      const ids = [...relatives.map((r) => r.relative_id), ...children.map((c) => c.foreigner_id)];
      const people = new Map<number, ForeignerRef>();
      if (ids.length > 0) {
        const rows = await db
          .selectFrom('sandbox.foreigners')
          .select(['id', 'passport_number', 'passport_country', 'full_name', 'sex', 'date_of_birth'])
          .where('id', 'in', ids)
          .execute();
        for (const r of rows) people.set(r.id, foreignerRefFrom(r));
      }
      const pick = (relation: string) => {
        const r = relatives.find((k) => k.relation === relation);
        return r ? (people.get(r.relative_id) ?? null) : null;
      };
      const defined = (p: ForeignerRef | undefined): p is ForeignerRef => p !== undefined;
      return {
        father: pick('father'),
        mother: pick('mother'),
        spouses: relatives
          .filter((r) => r.relation === 'spouse')
          .map((r) => people.get(r.relative_id))
          .filter(defined),
        children: children
          .map((c) => people.get(c.foreigner_id))
          .filter(defined)
          .sort((a, b) => (a.dateOfBirth < b.dateOfBirth ? -1 : 1)),
      };
    },

    biometricsOf(registryId) {
      return biometricReferencesOf(db, 'foreigner', registryId);
    },
  };
}
