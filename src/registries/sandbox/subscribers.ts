import type { Executor } from '../../platform/database.ts';
import { normalisePhone, type SubscriberOwner, type Subscription } from '../model.ts';
import type { SubscriberRegistry } from '../ports.ts';
import type { SubscriberRow } from '../tables.ts';
import { parseRegistryId } from './mapping.ts';

/** The mobile subscriber registry over the sandbox schema. */
export function sandboxSubscriberRegistry(db: Executor): SubscriberRegistry {
  async function owners(rows: SubscriberRow[]): Promise<Subscription[]> {
    const ids = (kind: SubscriberRow['owner_kind']) => [
      ...new Set(rows.filter((r) => r.owner_kind === kind).map((r) => r.owner_id)),
    ];
    const [citizens, foreigners, organisations] = await Promise.all([
      ids('citizen').length
        ? db
            .selectFrom('sandbox.persons')
            .select(['id', 'pin', 'full_name'])
            .where('id', 'in', ids('citizen'))
            .execute()
        : [],
      ids('foreigner').length
        ? db
            .selectFrom('sandbox.foreigners')
            .select(['id', 'passport_number', 'passport_country', 'full_name'])
            .where('id', 'in', ids('foreigner'))
            .execute()
        : [],
      ids('organisation').length
        ? db
            .selectFrom('sandbox.organisations')
            .select(['id', 'enterprise_code', 'name'])
            .where('id', 'in', ids('organisation'))
            .execute()
        : [],
    ]);
    const out: Subscription[] = [];
    for (const r of rows) {
      let owner: SubscriberOwner | undefined;
      if (r.owner_kind === 'citizen') {
        const c = citizens.find((x) => x.id === r.owner_id);
        if (c) owner = { kind: 'citizen', registryId: String(c.id), pin: c.pin, fullName: c.full_name };
      } else if (r.owner_kind === 'foreigner') {
        const f = foreigners.find((x) => x.id === r.owner_id);
        if (f) {
          owner = {
            kind: 'foreigner',
            registryId: String(f.id),
            passport: { number: f.passport_number, country: f.passport_country },
            fullName: f.full_name,
          };
        }
      } else {
        const o = organisations.find((x) => x.id === r.owner_id);
        if (o)
          owner = { kind: 'organisation', registryId: String(o.id), enterpriseCode: o.enterprise_code, name: o.name };
      }
      if (owner) out.push({ phone: r.phone, operator: r.operator, registeredOn: r.registered_on, owner });
    }
    return out;
  }

  return {
    async ownerOf(phone) {
      const national = normalisePhone(phone);
      if (national === null) return null;
      const rows = await db.selectFrom('sandbox.subscribers').selectAll().where('phone', '=', national).execute();
      return (await owners(rows))[0] ?? null;
    },

    async subscriptionsOf(owner) {
      const id = parseRegistryId(owner.registryId);
      if (id === null) return [];
      const rows = await db
        .selectFrom('sandbox.subscribers')
        .selectAll()
        .where('owner_kind', '=', owner.kind)
        .where('owner_id', '=', id)
        .orderBy('registered_on')
        .orderBy('phone')
        .execute();
      return owners(rows);
    },
  };
}
