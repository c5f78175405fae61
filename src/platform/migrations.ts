import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import { allMigrations } from './migration-list.ts';

/**
 * Forward-only migrations. Each context owns its migrations (`src/<context>/migrations.ts`) and
 * names them `YYYYMMDDHHMM_<context>_<what>`; they run in name order across contexts. There is
 * no `down`: a mistake is fixed by a new migration, never by rewriting history.
 */
export type ForwardMigration = { name: string; up(db: Kysely<any>): Promise<void> };

function collect(): Record<string, Migration> {
  const byName: Record<string, Migration> = {};
  for (const m of allMigrations) {
    if (byName[m.name]) throw new Error(`duplicate migration name ${m.name}`);
    byName[m.name] = { up: m.up };
  }
  return byName;
}

function migrator(db: Kysely<any>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => collect() },
    migrationTableSchema: 'public',
  });
}

export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const result: MigrationResultSet = await migrator(db).migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${String(result.error)}`, {
      cause: result.error,
    });
  }
  return (result.results ?? []).map((r) => r.migrationName);
}

/** Names of migrations the code knows but the database has not run (empty = current). */
export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  const infos = await migrator(db).getMigrations();
  return infos.filter((m) => !m.executedAt).map((m) => m.name);
}
