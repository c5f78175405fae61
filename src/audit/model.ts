import { createHash } from 'node:crypto';
import type { AuditEntryRow } from './tables.ts';

/**
 * The audit ledger: who did what to whom, why, and with what outcome (Decree 69 Art 9; Law 91/2025
 * on personal data: every access to a person's data is recorded and shown to them).
 *
 * Entries are hash-chained: each entry's hash covers its fields and the previous entry's hash, so
 * changing or removing any entry breaks every later link. To let many writers append at once, the
 * ledger is split into a fixed number of chains; an entry joins the chain of its subject (so one
 * person's history is one chain, in order). Verification walks every chain.
 */
export const GENESIS_HASH = '0'.repeat(64);

export type Outcome = 'success' | 'failure' | 'denied';

export interface AuditEvent {
  actor: { kind: string; id: string };
  /** Dotted verb, e.g. `calendar.holiday.update`, `auth.login`. */
  action: string;
  subject?: { kind: string; id: string } | undefined;
  /** Why the actor did it (the lawful purpose for a data access). */
  purpose?: string | undefined;
  outcome: Outcome;
  detail?: Record<string, unknown> | undefined;
}

/** The fields an entry's hash covers: every column but the hash itself. */
export type ChainedFields = Omit<AuditEntryRow, 'hash'>;

/** JSON with object keys sorted at every level, so jsonb's key reordering cannot change a hash. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function entryHash(fields: ChainedFields): string {
  const material = canonicalJson([
    fields.chain,
    fields.seq,
    fields.id,
    fields.at.toISOString(),
    fields.actor_kind,
    fields.actor_id,
    fields.action,
    fields.subject_kind,
    fields.subject_id,
    fields.purpose,
    fields.outcome,
    fields.detail ?? null,
    fields.prev_hash,
  ]);
  return createHash('sha256').update(material).digest('hex');
}

/** The chain an entry joins: its subject's (stable), or the actor's when there is no subject. */
export function chainFor(event: AuditEvent, chains: number): number {
  const key = event.subject ? `${event.subject.kind}:${event.subject.id}` : `${event.actor.kind}:${event.actor.id}`;
  return createHash('sha256').update(key).digest().readUInt32BE(0) % chains;
}

export interface BrokenLink {
  chain: number;
  seq: number;
  id: string;
  reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'sequence_gap' | 'head_mismatch';
}

/**
 * Checks one chain's entries, in sequence order, continuing from `previous` (the last verified
 * entry's seq and hash). Returns the first broken link, or the new position.
 */
export function verifyRun(
  entries: ChainedFields[] & { hash?: string }[],
  previous: { seq: number; hash: string },
): { broken: BrokenLink } | { last: { seq: number; hash: string } } {
  let last = previous;
  for (const e of entries as (ChainedFields & { hash: string })[]) {
    if (e.seq !== last.seq + 1) return { broken: { chain: e.chain, seq: e.seq, id: e.id, reason: 'sequence_gap' } };
    if (e.prev_hash !== last.hash)
      return { broken: { chain: e.chain, seq: e.seq, id: e.id, reason: 'prev_hash_mismatch' } };
    if (entryHash(e) !== e.hash) return { broken: { chain: e.chain, seq: e.seq, id: e.id, reason: 'hash_mismatch' } };
    last = { seq: e.seq, hash: e.hash };
  }
  return { last };
}
