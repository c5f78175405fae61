import { sql } from 'kysely';
import type { Executor, Trx } from '../platform/database.ts';
import type { ChainedFields } from './model.ts';

/** Number of independent chains: writers to different chains never wait for each other. */
export const AUDIT_CHAINS = 16;

export type StoredEntry = ChainedFields & { hash: string };

/**
 * Takes the next position in a chain. The head row stays locked until the caller's transaction
 * ends, so appends to one chain are serialised and a rolled-back transaction leaves no gap.
 */
export async function advanceHead(trx: Trx, chain: number): Promise<{ seq: number; prevHash: string }> {
  const row = await trx
    .updateTable('audit.chain_heads')
    .set({ seq: sql`seq + 1` })
    .where('chain', '=', chain)
    .returning(['seq', 'hash'])
    .executeTakeFirstOrThrow();
  return { seq: Number(row.seq), prevHash: row.hash };
}

export async function insertEntry(trx: Trx, entry: StoredEntry): Promise<void> {
  await trx
    .insertInto('audit.entries')
    .values({
      ...entry,
      detail: entry.detail === null || entry.detail === undefined ? null : JSON.stringify(entry.detail),
    })
    .execute();
  await trx.updateTable('audit.chain_heads').set({ hash: entry.hash }).where('chain', '=', entry.chain).execute();
}

export async function readChain(
  db: Executor,
  chain: number,
  range: { afterSeq: number; upToSeq: number },
  limit: number,
): Promise<StoredEntry[]> {
  const rows = await db
    .selectFrom('audit.entries')
    .selectAll()
    .where('chain', '=', chain)
    .where('seq', '>', range.afterSeq)
    .where('seq', '<=', range.upToSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq), chain: Number(r.chain) }));
}

export async function readHeads(db: Executor): Promise<{ chain: number; seq: number; hash: string }[]> {
  const rows = await db.selectFrom('audit.chain_heads').selectAll().orderBy('chain').execute();
  return rows.map((r) => ({ chain: Number(r.chain), seq: Number(r.seq), hash: r.hash }));
}

export async function entriesAbout(
  db: Executor,
  subject: { kind: string; id: string },
  limit: number,
): Promise<StoredEntry[]> {
  const rows = await db
    .selectFrom('audit.entries')
    .selectAll()
    .where('subject_kind', '=', subject.kind)
    .where('subject_id', '=', subject.id)
    .orderBy('at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq), chain: Number(r.chain) }));
}
