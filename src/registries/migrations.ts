import type { ForwardMigration } from '../platform/migrations.ts';

export const registriesMigrations: ForwardMigration[] = [];
