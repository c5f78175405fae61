import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { createTestDatabase, testPlatform, type TestDatabase } from '../../test/database.ts';
import { createAuditService } from './service.ts';

const run = promisify(execFile);
// Each test tampers with its own database, so one test's damage cannot mask another's.
let t: TestDatabase & { drop(): Promise<void> };
beforeEach(async () => {
  t = await createTestDatabase();
});
afterEach(async () => {
  await t.drop();
});

async function seed(n: number) {
  const audit = createAuditService(testPlatform(t.db));
  const ids = [];
  for (let i = 0; i < n; i++) {
    ids.push(
      await audit.append(t.db, {
        actor: { kind: 'system', id: 'registry-sync' },
        action: 'eid.lock',
        subject: { kind: 'person', id: 'victim' },
        outcome: 'success',
        detail: { ground: 'card_revoked', i },
      }),
    );
  }
  return { audit, ids };
}

describe('audit ledger tampering', () => {
  test('the database refuses to update, delete or truncate entries', async () => {
    await seed(2);
    await expect(sql`update audit.entries set outcome = 'denied'`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit.entries`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit.entries`.execute(t.db)).rejects.toThrow(/append-only/);
  });

  test('an edited entry is named by verify (API and CLI), even when its own hash is recomputed', async () => {
    const { audit, ids } = await seed(3);
    const target = ids[1]!;
    // A privileged attacker bypasses the trigger and rewrites an entry consistently with itself.
    await t.db.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      await sql`update audit.entries set detail = '{"ground":"none"}' where id = ${target.id}`.execute(trx);
    });
    const report = await audit.verify();
    expect(report.ok).toBe(false);
    expect(report.firstBroken).toMatchObject({ id: target.id, seq: target.seq, reason: 'hash_mismatch' });

    const cli = await run('node', ['bin/dinhdanh.js', 'audit', 'verify'], {
      // Vitest sets BASE_URL='/' for Vite; the platform's BASE_URL is absolute or unset.
      env: { ...process.env, DATABASE_URL: t.url, LOG_LEVEL: 'silent', BASE_URL: '' },
    }).catch((e: { code: number; stdout: string }) => e);
    expect(cli).toMatchObject({ code: 1 });
    expect((cli as { stdout: string }).stdout).toContain('BROKEN');
    expect((cli as { stdout: string }).stdout).toContain(target.id);
  });

  test('removing the newest entries shows against the chain head', async () => {
    const { audit, ids } = await seed(2);
    const last = ids[ids.length - 1]!;
    await t.db.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      await sql`delete from audit.entries where id = ${last.id}`.execute(trx);
    });
    const report = await audit.verify();
    expect(report.ok).toBe(false);
    expect(report.firstBroken).toMatchObject({ chain: last.chain, reason: 'head_mismatch' });
  });
});
