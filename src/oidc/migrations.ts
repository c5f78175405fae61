import type { ForwardMigration } from '../platform/migrations.ts';

export const oidcMigrations: ForwardMigration[] = [];
