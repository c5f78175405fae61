import { randomUUID } from 'node:crypto';
import type { Executor, Trx } from '../platform/database.ts';
import type { Platform } from '../platform/context.ts';
import { chainFor, entryHash, verifyRun, GENESIS_HASH, type AuditEvent, type BrokenLink } from './model.ts';
import {
  AUDIT_CHAINS,
  advanceHead,
  entriesAbout,
  insertEntry,
  readChain,
  readHeads,
  type StoredEntry,
} from './repository.ts';

export interface VerifyReport {
  ok: boolean;
  checked: number;
  chains: number;
  firstBroken?: BrokenLink;
}

export interface AuditService {
  /**
   * Appends an entry. Pass the transaction that makes the change being audited, so the change
   * and its record commit together or not at all.
   */
  append(executor: Executor, event: AuditEvent): Promise<{ id: string; chain: number; seq: number }>;
  verify(): Promise<VerifyReport>;
  historyOf(subject: { kind: string; id: string }, limit?: number): Promise<StoredEntry[]>;
}

export function createAuditService(platform: Pick<Platform, 'db' | 'clock'>): AuditService {
  async function appendIn(trx: Trx, event: AuditEvent) {
    const chain = chainFor(event, AUDIT_CHAINS);
    const { seq, prevHash } = await advanceHead(trx, chain);
    const fields = {
      chain,
      seq,
      id: randomUUID(),
      at: platform.clock.now(),
      actor_kind: event.actor.kind,
      actor_id: event.actor.id,
      action: event.action,
      subject_kind: event.subject?.kind ?? null,
      subject_id: event.subject?.id ?? null,
      purpose: event.purpose ?? null,
      outcome: event.outcome,
      detail: event.detail ?? null,
      prev_hash: prevHash,
    };
    await insertEntry(trx, { ...fields, hash: entryHash(fields) });
    return { id: fields.id, chain, seq };
  }

  return {
    async append(executor, event) {
      if (executor.isTransaction) return appendIn(executor as Trx, event);
      return executor.transaction().execute((trx) => appendIn(trx, event));
    },

    async verify() {
      let checked = 0;
      // Heads first: entries appended while we verify lie beyond them and wait for the next run.
      const heads = await readHeads(platform.db);
      for (const head of heads) {
        let position = { seq: 0, hash: GENESIS_HASH };
        for (;;) {
          const page = await readChain(platform.db, head.chain, { afterSeq: position.seq, upToSeq: head.seq }, 5000);
          if (page.length === 0) break;
          const result = verifyRun(page, position);
          if ('broken' in result) return { ok: false, checked, chains: heads.length, firstBroken: result.broken };
          checked += page.length;
          position = result.last;
        }
        // The head remembers the last link: removing entries from the end shows here.
        if (position.seq !== head.seq || position.hash !== head.hash) {
          return {
            ok: false,
            checked,
            chains: heads.length,
            firstBroken: { chain: head.chain, seq: position.seq + 1, id: '', reason: 'head_mismatch' },
          };
        }
      }
      return { ok: true, checked, chains: heads.length };
    },

    historyOf(subject, limit = 100) {
      return entriesAbout(platform.db, subject, limit);
    },
  };
}
