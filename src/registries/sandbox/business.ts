import type { Executor } from '../../platform/database.ts';
import type { Organisation } from '../model.ts';
import type { BusinessRegistry } from '../ports.ts';
import type { OrganisationRow } from '../tables.ts';
import { address, citizenRefFrom, parseRegistryId } from './mapping.ts';

const CODE_FORM = /^\d{10}$/;

/** The Business Registration DB over the sandbox schema. */
export function sandboxBusinessRegistry(db: Executor): BusinessRegistry {
  async function complete(rows: OrganisationRow[]): Promise<Organisation[]> {
    if (rows.length === 0) return [];
    const reps = await db
      .selectFrom('sandbox.legal_representatives as r')
      .innerJoin('sandbox.persons as p', 'p.id', 'r.person_id')
      .select([
        'r.organisation_id',
        'r.title',
        'r.since',
        'p.id',
        'p.pin',
        'p.full_name',
        'p.sex',
        'p.date_of_birth',
        'p.date_of_death',
      ])
      .where(
        'r.organisation_id',
        'in',
        rows.map((o) => o.id),
      )
      .orderBy('r.organisation_id')
      .orderBy('r.since')
      .orderBy('p.id')
      .execute();
    return rows.map((o) => ({
      registryId: String(o.id),
      enterpriseCode: o.enterprise_code,
      name: o.name,
      legalForm: o.legal_form,
      foundedOn: o.founded_on,
      headOffice: address(o.head_office_line, o.head_office_ward, o.head_office_province),
      status: o.status,
      statusSince: o.status_since,
      legalRepresentatives: reps
        .filter((r) => r.organisation_id === o.id)
        .map((r) => ({ person: citizenRefFrom(r), title: r.title, since: r.since })),
    }));
  }

  return {
    async findByEnterpriseCode(enterpriseCode) {
      const code = enterpriseCode.trim();
      if (!CODE_FORM.test(code)) return null;
      const rows = await db
        .selectFrom('sandbox.organisations')
        .selectAll()
        .where('enterprise_code', '=', code)
        .execute();
      return (await complete(rows))[0] ?? null;
    },

    async findById(registryId) {
      const id = parseRegistryId(registryId);
      if (id === null) return null;
      const rows = await db.selectFrom('sandbox.organisations').selectAll().where('id', '=', id).execute();
      return (await complete(rows))[0] ?? null;
    },

    async representedBy(citizenRegistryId) {
      const id = parseRegistryId(citizenRegistryId);
      if (id === null) return [];
      const rows = await db
        .selectFrom('sandbox.organisations')
        .selectAll()
        .where('id', 'in', (eb) =>
          eb.selectFrom('sandbox.legal_representatives').select('organisation_id').where('person_id', '=', id),
        )
        .orderBy('founded_on')
        .orderBy('id')
        .execute();
      return complete(rows);
    },
  };
}
