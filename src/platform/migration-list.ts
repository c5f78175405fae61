import type { ForwardMigration } from './migrations.ts';
import { auditMigrations } from '../audit/migrations.ts';
import { authMigrations } from '../auth/migrations.ts';
import { backofficeMigrations } from '../backoffice/migrations.ts';
import { biometricsMigrations } from '../biometrics/migrations.ts';
import { calendarMigrations } from '../calendar/migrations.ts';
import { eidMigrations } from '../eid/migrations.ts';
import { issuanceMigrations } from '../issuance/migrations.ts';
import { locksMigrations } from '../locks/migrations.ts';
import { identityMigrations } from '../identity/migrations.ts';
import { notifyMigrations } from '../notify/migrations.ts';
import { oidcMigrations } from '../oidc/migrations.ts';
import { registriesMigrations } from '../registries/migrations.ts';
import { representationMigrations } from '../representation/migrations.ts';

/** Every context's migrations; the runner orders them by name. */
export const allMigrations: ForwardMigration[] = [
  ...auditMigrations,
  ...calendarMigrations,
  ...registriesMigrations,
  ...notifyMigrations,
  ...identityMigrations,
  ...backofficeMigrations,
  ...authMigrations,
  ...oidcMigrations,
  ...issuanceMigrations,
  ...representationMigrations,
  ...locksMigrations,
  ...eidMigrations,
  ...biometricsMigrations,
];
