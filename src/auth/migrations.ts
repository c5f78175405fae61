import type { ForwardMigration } from '../platform/migrations.ts';

export const authMigrations: ForwardMigration[] = [];
