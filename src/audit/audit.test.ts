import { describe, expect, test } from 'vitest';
import { sql } from 'kysely';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { createAuditService } from './service.ts';
import { AUDIT_CHAINS } from './repository.ts';
import { canonicalJson, chainFor, type AuditEvent } from './model.ts';

const t = useTestDatabase();

const event = (subjectId: string, action = 'identity.record.view'): AuditEvent => ({
  actor: { kind: 'officer', id: 'officer-1' },
  action,
  subject: { kind: 'person', id: subjectId },
  purpose: 'application review',
  outcome: 'success',
  detail: { z: 1, a: { y: [1, 'hai'], b: 'Nguyễn Văn An' } },
});

describe('audit ledger', () => {
  test('canonical JSON ignores key order, so jsonb round trips keep hashes stable', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 4, e: 5 }] } })).toBe(
      canonicalJson({ a: { c: [3, { e: 5, f: 4 }], d: 2 }, b: 1 }),
    );
  });

  test('entries about one subject form one chain, in order, and verify', async () => {
    const audit = createAuditService(testPlatform(t.db, { clock: fixedClock('2026-01-05T02:00:00Z') }));
    const first = await audit.append(t.db, event('p-1'));
    const second = await audit.append(t.db, event('p-1', 'identity.record.export'));
    expect(second.chain).toBe(first.chain);
    expect(second.seq).toBe(first.seq + 1);
    const history = await audit.historyOf({ kind: 'person', id: 'p-1' });
    expect(history.map((e) => e.action).sort()).toEqual(['identity.record.export', 'identity.record.view']);
    expect(history[0]!.detail).toEqual(event('p-1').detail);
    expect(await audit.verify()).toMatchObject({ ok: true, checked: 2 });
  });

  test('an entry written in a rolled-back transaction leaves neither a row nor a gap', async () => {
    const audit = createAuditService(testPlatform(t.db));
    const before = await audit.verify();
    await expect(
      t.db.transaction().execute(async (trx) => {
        await audit.append(trx, event('p-rollback'));
        throw new Error('the audited change failed');
      }),
    ).rejects.toThrow('the audited change failed');
    const history = await audit.historyOf({ kind: 'person', id: 'p-rollback' });
    expect(history).toHaveLength(0);
    await audit.append(t.db, event('p-rollback'));
    expect(await audit.verify()).toMatchObject({ ok: true, checked: before.checked + 1 });
  });

  test('concurrent writers append without gaps or forks', async () => {
    const audit = createAuditService(testPlatform(t.db));
    const subjects = Array.from({ length: 8 }, (_, i) => `c-${i}`);
    // 80 appends racing on the pool, several per chain at once.
    await Promise.all(Array.from({ length: 80 }, (_, i) => audit.append(t.db, event(subjects[i % subjects.length]!))));
    const report = await audit.verify();
    expect(report.ok).toBe(true);
    const perChain = await sql<{ chain: number; n: number; max: number }>`
      select chain, count(*)::int as n, max(seq)::int as max from audit.entries group by chain`.execute(t.db);
    for (const row of perChain.rows) expect(row.max).toBe(row.n);
    const chains = new Set(subjects.map((s) => chainFor(event(s), AUDIT_CHAINS)));
    expect(chains.size).toBeGreaterThan(1);
  });
});
