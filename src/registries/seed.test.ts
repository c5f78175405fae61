import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { from as copyFrom } from 'pg-copy-streams';
import { finished } from 'node:stream/promises';
import { useTestDatabase } from '../../test/database.ts';
import { DEMO_PERSONS, generateSandbox } from './generator.ts';
import { SANDBOX_DATA_TABLES } from './migrations.ts';
import { copyValue, seedSandbox } from './seed.ts';
import { sandboxControl } from './sandbox/control.ts';

const t = useTestDatabase();

async function tableCounts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of SANDBOX_DATA_TABLES) {
    const { rows } = await t.database.pool.query<{ n: string }>(`select count(*)::text as n from sandbox.${table}`);
    out[table] = Number(rows[0]!.n);
  }
  return out;
}

async function indexDefinitions(): Promise<string[]> {
  const { rows } = await t.database.pool.query<{ def: string }>(
    `select indexdef as def from pg_indexes where schemaname = 'sandbox' order by indexname`,
  );
  return rows.map((r) => r.def);
}

describe('seedSandbox', () => {
  let indexesAfterMigration: string[] = [];

  it('loads exactly what the generator produces, keys and indexes included', async () => {
    indexesAfterMigration = await indexDefinitions();
    expect(indexesAfterMigration.length).toBeGreaterThan(15);
    const expected: Record<string, number> = {};
    const tableOf: Record<string, string> = {
      pinHistory: 'pin_history',
      idCards: 'id_cards',
      residenceCards: 'residence_cards',
      foreignerKinships: 'foreigner_kinships',
      legalRepresentatives: 'legal_representatives',
      biometricReferences: 'biometric_references',
    };
    for (const chunk of generateSandbox({ citizens: 3000, seed: 'db' })) {
      for (const [key, rows] of Object.entries(chunk)) {
        const table = tableOf[key] ?? key;
        expected[table] = (expected[table] ?? 0) + rows.length;
      }
    }
    const progress: number[] = [];
    const result = await seedSandbox(t.database.pool, {
      citizens: 3000,
      seed: 'db',
      chunkSize: 1000,
      onProgress: (p) => progress.push(p.citizens),
    });
    expect(result.skipped).toBe(false);
    expect(result.counts).toEqual(expected);
    expect(await tableCounts()).toEqual(expected);
    expect(result.rows).toBe(Object.values(expected).reduce((a, b) => a + b, 0));
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.at(-1)).toBe(3000);
    expect(await indexDefinitions()).toEqual(indexesAfterMigration);

    // Start-up keeps whatever sandbox is loaded, even one of another size and seed.
    const kept = await seedSandbox(t.database.pool, { citizens: 900, seed: 'start-up', keepExisting: true });
    expect(kept.skipped).toBe(true);
    expect(kept.counts.persons).toBeGreaterThanOrEqual(1500);
  });

  it('keeps the tables consistent: every reference points at a row', async () => {
    const orphans = await sql<{ what: string; n: number }>`
      select 'kinship person' as what, count(*)::int as n from sandbox.kinships k
        where not exists (select 1 from sandbox.persons p where p.id = k.person_id)
      union all select 'kinship relative', count(*)::int from sandbox.kinships k
        where not exists (select 1 from sandbox.persons p where p.id = k.relative_id)
      union all select 'card', count(*)::int from sandbox.id_cards c
        where not exists (select 1 from sandbox.persons p where p.id = c.person_id and p.pin = c.number)
      union all select 'pin history', count(*)::int from sandbox.pin_history h
        where not exists (select 1 from sandbox.persons p where p.id = h.person_id)
      union all select 'old pin reused', count(*)::int from sandbox.pin_history h
        where exists (select 1 from sandbox.persons p where p.pin = h.old_pin)
      union all select 'guardianship', count(*)::int from sandbox.guardianships g
        where not exists (select 1 from sandbox.persons p where p.id = g.ward_id)
           or not exists (select 1 from sandbox.persons p where p.id = g.guardian_id)
      union all select 'residence card', count(*)::int from sandbox.residence_cards c
        where not exists (select 1 from sandbox.foreigners f where f.id = c.foreigner_id)
      union all select 'foreigner kinship', count(*)::int from sandbox.foreigner_kinships k
        where not exists (select 1 from sandbox.foreigners f where f.id = k.foreigner_id)
           or not exists (select 1 from sandbox.foreigners f where f.id = k.relative_id)
      union all select 'legal representative', count(*)::int from sandbox.legal_representatives r
        where not exists (select 1 from sandbox.organisations o where o.id = r.organisation_id)
           or not exists (select 1 from sandbox.persons p where p.id = r.person_id)
      union all select 'subscriber', count(*)::int from sandbox.subscribers s
        where (s.owner_kind = 'citizen' and not exists (select 1 from sandbox.persons p where p.id = s.owner_id))
           or (s.owner_kind = 'foreigner' and not exists (select 1 from sandbox.foreigners f where f.id = s.owner_id))
           or (s.owner_kind = 'organisation' and not exists (select 1 from sandbox.organisations o where o.id = s.owner_id))
           or (s.actual_user_id is not null and not exists (select 1 from sandbox.persons p where p.id = s.actual_user_id))
      union all select 'biometric', count(*)::int from sandbox.biometric_references b
        where (b.subject_kind = 'citizen' and not exists (select 1 from sandbox.persons p where p.id = b.subject_id))
           or (b.subject_kind = 'foreigner' and not exists (select 1 from sandbox.foreigners f where f.id = b.subject_id))
    `.execute(t.db);
    expect(orphans.rows.filter((r) => r.n > 0)).toEqual([]);
    expect(orphans.rows).toHaveLength(11);
  });

  it('does nothing when the sandbox already holds the same seed', async () => {
    const before = await t.db.selectFrom('sandbox.seed_info').selectAll().executeTakeFirstOrThrow();
    const again = await seedSandbox(t.database.pool, { citizens: 3000, seed: 'db' });
    expect(again.skipped).toBe(true);
    expect(again.counts.persons).toBe(3000);
    const after = await t.db.selectFrom('sandbox.seed_info').selectAll().executeTakeFirstOrThrow();
    expect(after.seeded_at).toEqual(before.seeded_at);
  });

  it('replaces the sandbox for other parameters, keeping the demo subjects and the change ids rising', async () => {
    const control = sandboxControl(t.db);
    const first = await control.holdCard(DEMO_PERSONS.citizen.pin, '2026-02-01');
    const oldPins = await t.db.selectFrom('sandbox.persons').select('pin').where('id', '>', 11).limit(50).execute();

    const result = await seedSandbox(t.database.pool, { citizens: 1500, seed: 'other' });
    expect(result.skipped).toBe(false);
    const counts = await tableCounts();
    expect(counts.persons).toBe(1500);
    expect(await t.db.selectFrom('sandbox.changes').selectAll().execute()).toEqual([]);
    const demo = await t.db
      .selectFrom('sandbox.id_cards')
      .select('status')
      .where('number', '=', DEMO_PERSONS.citizen.pin)
      .executeTakeFirstOrThrow();
    expect(demo.status).toBe('valid');
    const newPins = new Set(
      (await t.db.selectFrom('sandbox.persons').select('pin').where('id', '>', 11).execute()).map((r) => r.pin),
    );
    expect(oldPins.filter((p) => newPins.has(p.pin)).length).toBeLessThan(5);

    const second = await control.holdCard(DEMO_PERSONS.citizen.pin, '2026-02-02');
    expect(Number(second.id)).toBeGreaterThan(Number(first.id));

    // Forcing reloads even with the same parameters.
    expect((await seedSandbox(t.database.pool, { citizens: 1500, seed: 'other', force: true })).skipped).toBe(false);
    expect(await indexDefinitions()).toEqual(indexesAfterMigration);
  });

  it('serialises concurrent seeds: one loads, the other finds it done', async () => {
    const results = await Promise.all([
      seedSandbox(t.database.pool, { citizens: 800, seed: 'race' }),
      seedSandbox(t.database.pool, { citizens: 800, seed: 'race' }),
    ]);
    expect(results.map((r) => r.skipped).sort()).toEqual([false, true]);
    expect((await tableCounts()).persons).toBe(800);
  });

  it('leaves the previous sandbox intact when a load fails', async () => {
    await expect(seedSandbox(t.database.pool, { citizens: 3, seed: 'bad' })).rejects.toThrow(/at least 11/);
    await expect(
      seedSandbox(t.database.pool, {
        citizens: 900,
        seed: 'boom',
        onProgress: () => {
          throw new Error('boom');
        },
      }),
    ).rejects.toThrow('boom');
    expect((await tableCounts()).persons).toBe(800);
    expect(await indexDefinitions()).toEqual(indexesAfterMigration);
    const info = await t.db.selectFrom('sandbox.seed_info').select('seed').executeTakeFirstOrThrow();
    expect(info.seed).toBe('race');
  });
});

describe('COPY text format', () => {
  it('escapes what COPY would misread, and round-trips through PostgreSQL', async () => {
    expect(copyValue(null)).toBe('\\N');
    expect(copyValue(true)).toBe('t');
    expect(copyValue(12)).toBe('12');
    expect(copyValue('a\tb\nc\\d\re')).toBe('a\\tb\\nc\\\\d\\re');
    const tricky = ['Nguyễn\tVăn', 'dòng 1\ndòng 2', 'C:\\đường dẫn', '\\N', 'Số 12\r'];
    const client = await t.database.pool.connect();
    try {
      await client.query('create temporary table copy_check (v text, n integer, b boolean)');
      const stream = client.query(copyFrom('copy copy_check (v, n, b) from stdin'));
      stream.end(
        tricky.map((v, i) => `${copyValue(v)}\t${copyValue(i)}\t${copyValue(i % 2 === 0)}\n`).join('') +
          `${copyValue(null)}\t\\N\t\\N\n`,
      );
      await finished(stream);
      const { rows } = await client.query<{ v: string | null }>('select v from copy_check order by n nulls last');
      expect(rows.map((r) => r.v)).toEqual([...tricky, null]);
    } finally {
      client.release();
    }
  });
});
