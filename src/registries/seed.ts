import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  generateSandbox,
  GENERATOR_VERSION,
  resolveOptions,
  type GeneratorOptions,
  type ResolvedOptions,
  type SandboxChunk,
  type SandboxTable,
} from './generator.ts';

/**
 * Loads the generated population into the `sandbox` schema with COPY, chunk by chunk, in one
 * transaction: a reader sees the old sandbox or the new one, never half of one.
 *
 * Idempotent: `sandbox.seed_info` records the parameters of the last seed. Seeding again with the
 * same parameters (and generator version) does nothing; with other parameters it truncates the
 * sandbox tables and loads afresh. The change feed (`sandbox.changes`) is emptied too, but its ids
 * keep counting up, so a sync worker's cursor never skips a change made after a re-seed.
 * Concurrent seeds (two processes starting at once) are serialised by an advisory lock.
 */

export interface SeedOptions extends GeneratorOptions {
  /** Reload even when the sandbox already holds this seed. */
  force?: boolean;
  /**
   * Start-up: keep any sandbox already loaded by this generator version, whatever its size and
   * seed (e.g. one loaded by `dinhdanh sandbox seed`); load only an empty or outdated one.
   */
  keepExisting?: boolean;
  /** Called after each chunk is loaded. */
  onProgress?: (progress: { citizens: number; rows: number; elapsedMs: number }) => void;
}

export interface SeedResult {
  /** True when the sandbox already held this seed and nothing was loaded. */
  skipped: boolean;
  options: ResolvedOptions;
  /** Rows per table (of the load, or of the previous load when skipped). */
  counts: Record<string, number>;
  rows: number;
  elapsedMs: number;
}

type Columns<K extends SandboxTable> = readonly (keyof SandboxChunk[K][number] & string)[];

/** Chunk field → table and column order for COPY. */
const COPY_PLAN: { [K in SandboxTable]: { table: string; columns: Columns<K> } } = {
  persons: {
    table: 'persons',
    columns: [
      'id',
      'pin',
      'family_name',
      'middle_name',
      'given_name',
      'full_name',
      'sex',
      'date_of_birth',
      'birth_province',
      'nationality',
      'residence_line',
      'residence_ward',
      'residence_province',
      'date_of_death',
    ],
  },
  pinHistory: { table: 'pin_history', columns: ['old_pin', 'person_id', 'replaced_on', 'reason'] },
  idCards: {
    table: 'id_cards',
    columns: ['person_id', 'number', 'issued_on', 'expires_on', 'chip', 'status', 'status_since', 'issuing_authority'],
  },
  kinships: { table: 'kinships', columns: ['person_id', 'relative_id', 'relation'] },
  guardianships: {
    table: 'guardianships',
    columns: ['id', 'ward_id', 'guardian_id', 'basis', 'court', 'decision_number', 'since', 'until'],
  },
  foreigners: {
    table: 'foreigners',
    columns: [
      'id',
      'passport_number',
      'passport_country',
      'passport_issued_on',
      'passport_expires_on',
      'family_name',
      'given_names',
      'full_name',
      'sex',
      'date_of_birth',
      'nationality',
      'address_line',
      'address_ward',
      'address_province',
      'date_of_death',
    ],
  },
  residenceCards: { table: 'residence_cards', columns: ['foreigner_id', 'number', 'kind', 'issued_on', 'expires_on'] },
  foreignerKinships: { table: 'foreigner_kinships', columns: ['foreigner_id', 'relative_id', 'relation'] },
  organisations: {
    table: 'organisations',
    columns: [
      'id',
      'enterprise_code',
      'name',
      'legal_form',
      'founded_on',
      'head_office_line',
      'head_office_ward',
      'head_office_province',
      'status',
      'status_since',
    ],
  },
  legalRepresentatives: { table: 'legal_representatives', columns: ['organisation_id', 'person_id', 'title', 'since'] },
  subscribers: {
    table: 'subscribers',
    columns: ['phone', 'operator', 'owner_kind', 'owner_id', 'registered_on', 'actual_user_id'],
  },
  biometricReferences: {
    table: 'biometric_references',
    columns: ['subject_kind', 'subject_id', 'kind', 'sample_ref', 'captured_on'],
  },
};

const TABLE_KEYS = Object.keys(COPY_PLAN) as SandboxTable[];
const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** A value in PostgreSQL's COPY text format. */
export function copyValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  const text = String(value);
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** Rows as COPY text: one line per row, tab-separated, in the plan's column order. */
export function copyText<K extends SandboxTable>(key: K, rows: SandboxChunk[K]): string {
  const columns = COPY_PLAN[key].columns as readonly string[];
  const width = columns.length;
  const lines: string[] = new Array(rows.length + 1);
  const fields: string[] = new Array(width);
  let i = 0;
  for (const row of rows as unknown as Record<string, unknown>[]) {
    for (let c = 0; c < width; c++) fields[c] = copyValue(row[columns[c] as string]);
    lines[i++] = fields.join('\t');
  }
  lines[i] = '';
  return lines.join('\n');
}

async function copyInto(client: pg.PoolClient, key: SandboxTable, text: string): Promise<void> {
  const { table, columns } = COPY_PLAN[key];
  const stream = client.query(copyFrom(`copy sandbox.${table} (${columns.join(', ')}) from stdin with (freeze)`));
  stream.end(text);
  await finished(stream);
}

async function loadChunk(client: pg.PoolClient, texts: [SandboxTable, string][]): Promise<void> {
  for (const [key, text] of texts) await copyInto(client, key, text);
}

const SEED_LOCK = 0x5eed_0069;

/**
 * Drops the primary keys, unique constraints and indexes of the sandbox data tables and returns
 * the statements that put them back, read from the catalogue (so migrations stay their only
 * definition).
 */
async function dropKeysAndIndexes(client: pg.PoolClient): Promise<string[]> {
  const tables = TABLE_KEYS.map((k) => COPY_PLAN[k].table);
  const constraints = await client.query<{ tbl: string; name: string; def: string }>(
    `select t.relname as tbl, c.conname as name, pg_get_constraintdef(c.oid) as def
       from pg_constraint c join pg_class t on t.oid = c.conrelid
      where t.relnamespace = 'sandbox'::regnamespace and t.relname = any($1) and c.contype in ('p', 'u')
      order by t.relname, c.conname`,
    [tables],
  );
  const indexes = await client.query<{ name: string; def: string }>(
    `select x.relname as name, pg_get_indexdef(i.indexrelid) as def
       from pg_index i join pg_class t on t.oid = i.indrelid join pg_class x on x.oid = i.indexrelid
      where t.relnamespace = 'sandbox'::regnamespace and t.relname = any($1)
        and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)
      order by t.relname, x.relname`,
    [tables],
  );
  const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
  for (const c of constraints.rows) {
    await client.query(`alter table sandbox.${quote(c.tbl)} drop constraint ${quote(c.name)}`);
  }
  for (const i of indexes.rows) await client.query(`drop index sandbox.${quote(i.name)}`);
  return [
    ...constraints.rows.map((c) => `alter table sandbox.${quote(c.tbl)} add constraint ${quote(c.name)} ${c.def}`),
    ...indexes.rows.map((i) => i.def),
  ];
}

export async function seedSandbox(pool: pg.Pool, options: SeedOptions): Promise<SeedResult> {
  const resolved = resolveOptions(options);
  const started = performance.now();
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query('select pg_advisory_xact_lock($1)', [SEED_LOCK]);
    const current = await client.query<{
      seed: string;
      citizens: number;
      foreigners: number;
      organisations: number;
      as_of: string;
      generator_version: number;
      counts: Record<string, number>;
    }>(`select seed, citizens, foreigners, organisations, to_char(as_of, 'YYYY-MM-DD') as as_of,
              generator_version, counts
         from sandbox.seed_info`);
    const previous = current.rows[0];
    const keep = options.keepExisting && previous?.generator_version === GENERATOR_VERSION;
    if (
      !options.force &&
      previous &&
      (keep ||
        (previous.seed === resolved.seed &&
          previous.citizens === resolved.citizens &&
          previous.foreigners === resolved.foreigners &&
          previous.organisations === resolved.organisations &&
          previous.as_of === resolved.asOf &&
          previous.generator_version === GENERATOR_VERSION &&
          // The demo subjects are either there or not: a seed without them is another sandbox.
          (previous.counts.demo === 1) === resolved.demo))
    ) {
      await client.query('commit');
      const { demo: _demo, ...counts } = previous.counts;
      return {
        skipped: true,
        options: resolved,
        counts,
        rows: Object.values(counts).reduce((a, b) => a + b, 0),
        elapsedMs: performance.now() - started,
      };
    }

    await client.query(
      `truncate ${['seed_info', 'changes', ...TABLE_KEYS.map((k) => COPY_PLAN[k].table)]
        .map((t) => `sandbox.${t}`)
        .join(', ')}`,
    );
    // The load is one transaction; losing it on a crash only means seeding again.
    await client.query('set local synchronous_commit = off');
    // Building an index once over loaded rows is several times faster than maintaining it row by
    // row: the keys and indexes come off now and go back on after the load, inside the transaction.
    const rebuild = await dropKeysAndIndexes(client);

    const counts: Record<string, number> = Object.fromEntries(TABLE_KEYS.map((k) => [COPY_PLAN[k].table, 0]));
    let rows = 0;
    let citizens = 0;
    let pending: Promise<void> | undefined;
    try {
      // Generating chunk n+1 overlaps with PostgreSQL loading chunk n.
      for (const chunk of generateSandbox(resolved)) {
        const texts: [SandboxTable, string][] = [];
        for (const key of TABLE_KEYS) {
          const list = chunk[key];
          if (list.length === 0) continue;
          texts.push([key, copyText(key, list)]);
          counts[COPY_PLAN[key].table] = (counts[COPY_PLAN[key].table] ?? 0) + list.length;
          rows += list.length;
        }
        const through = { citizens: (citizens += chunk.persons.length), rows };
        await pending;
        pending = loadChunk(client, texts).then(() =>
          options.onProgress?.({ ...through, elapsedMs: performance.now() - started }),
        );
      }
      await pending;
    } catch (error) {
      // Let an in-flight COPY fail or finish before the connection is reused for the rollback.
      await pending?.catch(() => undefined);
      throw error;
    }

    await client.query(`set local maintenance_work_mem = '256MB'`);
    for (const statement of rebuild) await client.query(statement);
    await client.query(
      `insert into sandbox.seed_info (seed, citizens, foreigners, organisations, as_of, generator_version, counts)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [
        resolved.seed,
        resolved.citizens,
        resolved.foreigners,
        resolved.organisations,
        resolved.asOf,
        GENERATOR_VERSION,
        JSON.stringify({ ...counts, demo: resolved.demo ? 1 : 0 }),
      ],
    );
    await client.query('commit');
    // Fresh statistics, so the planner uses the lookup indexes from the first query.
    await client.query(`analyze ${TABLE_KEYS.map((k) => `sandbox.${COPY_PLAN[k].table}`).join(', ')}`);
    return { skipped: false, options: resolved, counts, rows, elapsedMs: performance.now() - started };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
