import type { Executor } from '../../platform/database.ts';
import type { ChangeKind, RegistryChange } from '../model.ts';
import type { RegistryChangeFeed } from '../ports.ts';
import type { ChangeRow } from '../tables.ts';

export function changeFrom(
  row: Omit<ChangeRow, 'id' | 'recorded_at'> & { id: number; recorded_at: Date },
): RegistryChange {
  return {
    id: String(row.id),
    subject: { kind: row.subject_kind, registryId: String(row.subject_id) },
    kind: row.kind as ChangeKind,
    occurredOn: row.occurred_on,
    recordedAt: row.recorded_at,
    detail: (row.detail ?? {}) as Record<string, unknown>,
  };
}

/** The change feed over `sandbox.changes`, read in id order. */
export function sandboxChangeFeed(db: Executor): RegistryChangeFeed {
  return {
    async changesAfter(cursor, limit) {
      if (cursor !== null && !/^\d{1,15}$/.test(cursor)) throw new RangeError(`bad change cursor ${cursor}`);
      if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`bad limit ${limit}`);
      const rows = await db
        .selectFrom('sandbox.changes')
        .selectAll()
        .where('id', '>', cursor === null ? 0 : Number(cursor))
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(changeFrom);
    },
  };
}
