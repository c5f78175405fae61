/** Row types of the tables this context owns (schema `backoffice`), keyed 'schema.table' for Kysely. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface BackofficeTables {}
