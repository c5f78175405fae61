/** Row types of the tables this context owns (schema `auth`), keyed 'schema.table' for Kysely. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AuthTables {}
