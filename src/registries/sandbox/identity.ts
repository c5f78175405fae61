import type { Executor } from '../../platform/database.ts';
import { biometricReferencesOf } from './biometrics.ts';
import type { Citizen, CitizenRef, Family, Guardianship } from '../model.ts';
import type { IdentityRegistry } from '../ports.ts';
import type { GuardianshipRow } from '../tables.ts';
import { citizenFrom, citizenRefFrom, parseRegistryId } from './mapping.ts';

const PIN_FORM = /^\d{12}$/;

/** The Identity / Population DB over the sandbox schema. */
export function sandboxIdentityRegistry(db: Executor): IdentityRegistry {
  async function byId(id: number): Promise<Citizen | null> {
    const row = await db
      .selectFrom('sandbox.persons as p')
      .leftJoin('sandbox.id_cards as c', 'c.person_id', 'p.id')
      .selectAll('p')
      .select([
        'c.person_id as card_person_id',
        'c.number as card_number',
        'c.issued_on as card_issued_on',
        'c.expires_on as card_expires_on',
        'c.chip as card_chip',
        'c.status as card_status',
        'c.status_since as card_status_since',
        'c.issuing_authority as card_issuing_authority',
      ])
      .where('p.id', '=', id)
      .executeTakeFirst();
    if (!row) return null;
    const previous = await db
      .selectFrom('sandbox.pin_history')
      .select('old_pin')
      .where('person_id', '=', id)
      .orderBy('replaced_on')
      .orderBy('old_pin')
      .execute();
    const card =
      row.card_person_id === null
        ? null
        : {
            person_id: row.card_person_id,
            number: row.card_number as string,
            issued_on: row.card_issued_on as string,
            expires_on: row.card_expires_on,
            chip: row.card_chip as boolean,
            status: row.card_status as 'valid' | 'revoked' | 'held',
            status_since: row.card_status_since as string,
            issuing_authority: row.card_issuing_authority as string,
          };
    return citizenFrom(
      row,
      card,
      previous.map((p) => p.old_pin),
    );
  }

  async function refs(ids: number[]): Promise<Map<number, CitizenRef>> {
    if (ids.length === 0) return new Map();
    const rows = await db
      .selectFrom('sandbox.persons')
      .select(['id', 'pin', 'full_name', 'sex', 'date_of_birth', 'date_of_death'])
      .where('id', 'in', [...new Set(ids)])
      .execute();
    return new Map(rows.map((r) => [r.id, citizenRefFrom(r)]));
  }

  function guardianships(rows: GuardianshipRow[], people: Map<number, CitizenRef>): Guardianship[] {
    const out: Guardianship[] = [];
    for (const g of rows) {
      const guardian = people.get(g.guardian_id);
      const ward = people.get(g.ward_id);
      if (!guardian || !ward) continue;
      out.push({
        guardian,
        ward,
        basis: g.basis,
        court: g.court,
        decisionNumber: g.decision_number,
        since: g.since,
        until: g.until,
      });
    }
    return out;
  }

  const byDob = (a: CitizenRef, b: CitizenRef) =>
    a.dateOfBirth < b.dateOfBirth ? -1 : a.dateOfBirth > b.dateOfBirth ? 1 : a.pin < b.pin ? -1 : 1;

  return {
    async findByPin(pin) {
      if (!PIN_FORM.test(pin)) return null;
      const current = await db.selectFrom('sandbox.persons').select('id').where('pin', '=', pin).executeTakeFirst();
      if (current) return byId(current.id);
      const old = await db
        .selectFrom('sandbox.pin_history')
        .select('person_id')
        .where('old_pin', '=', pin)
        .executeTakeFirst();
      return old ? byId(old.person_id) : null;
    },

    async findById(registryId) {
      const id = parseRegistryId(registryId);
      return id === null ? null : byId(id);
    },

    async familyOf(registryId) {
      const id = parseRegistryId(registryId);
      if (id === null) return null;
      const exists = await db.selectFrom('sandbox.persons').select('id').where('id', '=', id).executeTakeFirst();
      if (!exists) return null;
      const [relatives, children, guardianRows] = await Promise.all([
        db.selectFrom('sandbox.kinships').select(['relative_id', 'relation']).where('person_id', '=', id).execute(),
        db
          .selectFrom('sandbox.kinships')
          .select('person_id')
          .where('relative_id', '=', id)
          .where('relation', 'in', ['father', 'mother'])
          .execute(),
        db
          .selectFrom('sandbox.guardianships')
          .selectAll()
          .where((eb) => eb.or([eb('ward_id', '=', id), eb('guardian_id', '=', id)]))
          .orderBy('since')
          .orderBy('id')
          .execute(),
      ]);
      const people = await refs([
        ...relatives.map((r) => r.relative_id),
        ...children.map((c) => c.person_id),
        ...guardianRows.flatMap((g) => [g.ward_id, g.guardian_id]),
      ]);
      const pick = (relation: string) => {
        const r = relatives.find((k) => k.relation === relation);
        return r ? (people.get(r.relative_id) ?? null) : null;
      };
      const family: Family = {
        father: pick('father'),
        mother: pick('mother'),
        spouses: relatives
          .filter((r) => r.relation === 'spouse')
          .map((r) => people.get(r.relative_id))
          .filter((p): p is CitizenRef => p !== undefined)
          .sort(byDob),
        children: children
          .map((c) => people.get(c.person_id))
          .filter((p): p is CitizenRef => p !== undefined)
          .sort(byDob),
        guardians: guardianships(
          guardianRows.filter((g) => g.ward_id === id),
          people,
        ),
        wards: guardianships(
          guardianRows.filter((g) => g.guardian_id === id),
          people,
        ),
      };
      return family;
    },

    async guardiansOf(registryId, on) {
      const id = parseRegistryId(registryId);
      if (id === null) return [];
      let query = db.selectFrom('sandbox.guardianships').selectAll().where('ward_id', '=', id);
      if (on !== undefined) {
        query = query.where('since', '<=', on).where((eb) => eb.or([eb('until', 'is', null), eb('until', '>', on)]));
      }
      const rows = await query.orderBy('since').orderBy('id').execute();
      const people = await refs(rows.flatMap((g) => [g.ward_id, g.guardian_id]));
      return guardianships(rows, people);
    },

    biometricsOf(registryId) {
      return biometricReferencesOf(db, 'citizen', registryId);
    },
  };
}
