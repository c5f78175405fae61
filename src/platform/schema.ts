import type { AuditTables } from '../audit/tables.ts';
import type { AuthTables } from '../auth/tables.ts';
import type { BackofficeTables } from '../backoffice/tables.ts';
import type { BiometricsTables } from '../biometrics/tables.ts';
import type { CalendarTables } from '../calendar/tables.ts';
import type { EidTables } from '../eid/tables.ts';
import type { IssuanceTables } from '../issuance/tables.ts';
import type { IdentityTables } from '../identity/tables.ts';
import type { LocksTables } from '../locks/tables.ts';
import type { NotifyTables } from '../notify/tables.ts';
import type { OidcTables } from '../oidc/tables.ts';
import type { RegistriesTables } from '../registries/tables.ts';
import type { RepresentationTables } from '../representation/tables.ts';

/**
 * The whole database as Kysely sees it. Each context declares the tables it owns in its own
 * `tables.ts` (keys are 'schema.table': one PostgreSQL schema per context), and only its own
 * repository queries them; other contexts go through its service.
 */
export type Schema = AuditTables &
  CalendarTables &
  RegistriesTables &
  NotifyTables &
  IdentityTables &
  BackofficeTables &
  AuthTables &
  OidcTables &
  IssuanceTables &
  LocksTables &
  RepresentationTables &
  EidTables &
  BiometricsTables;
