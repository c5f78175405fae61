import type { ForwardMigration } from '../platform/migrations.ts';

export const identityMigrations: ForwardMigration[] = [];
