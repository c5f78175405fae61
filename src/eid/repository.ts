import { randomBytes } from 'node:crypto';
import type { SecretBox } from '../platform/crypto.ts';
import type { Db, Executor } from '../platform/database.ts';
import type { DocumentKind, OnlineStatus } from './model.ts';
import type { Selectable } from 'kysely';
import type { DocumentRow, PresentationRow } from './tables.ts';

/** SQL of the eid context; only its service calls these. */

export interface PresentationRecord {
  jti: string;
  accountId: string;
  purpose: string;
  audience: string | null;
  claims: string[];
  kid: string;
  createdAt: Date;
  expiresAt: Date;
  verifiedAt: Date | null;
  verifier: string | null;
  verificationStatus: OnlineStatus | null;
  verifications: number;
}

function presentationFrom(row: Selectable<PresentationRow>): PresentationRecord {
  return {
    jti: row.jti,
    accountId: row.account_id,
    purpose: row.purpose,
    audience: row.audience,
    claims: row.claims,
    kid: row.kid,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    verifiedAt: row.verified_at,
    verifier: row.verifier,
    verificationStatus: row.verification_status,
    verifications: row.verifications,
  };
}

export async function insertPresentation(
  executor: Executor,
  p: Omit<PresentationRecord, 'verifiedAt' | 'verifier' | 'verificationStatus' | 'verifications'>,
): Promise<void> {
  await executor
    .insertInto('eid.presentations')
    .values({
      jti: p.jti,
      account_id: p.accountId,
      purpose: p.purpose,
      audience: p.audience,
      claims: p.claims,
      kid: p.kid,
      created_at: p.createdAt,
      expires_at: p.expiresAt,
      verified_at: null,
      verifier: null,
      verifier_ip: null,
      verification_status: null,
    })
    .execute();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function findPresentation(executor: Executor, jti: string): Promise<PresentationRecord | undefined> {
  if (!UUID.test(jti)) return undefined;
  const row = await executor.selectFrom('eid.presentations').selectAll().where('jti', '=', jti).executeTakeFirst();
  return row ? presentationFrom(row) : undefined;
}

/** Records an online verification on its presentation: the latest one, and how many there were. */
export async function recordVerification(
  executor: Executor,
  jti: string,
  v: { at: Date; verifier: string | null; ip: string | null; status: OnlineStatus },
): Promise<void> {
  await executor
    .updateTable('eid.presentations')
    .set((eb) => ({
      verified_at: v.at,
      verifier: v.verifier,
      verifier_ip: v.ip,
      verification_status: v.status,
      verifications: eb('verifications', '+', 1),
    }))
    .where('jti', '=', jti)
    .execute();
}

export async function presentationsOf(executor: Executor, accountId: string, limit: number) {
  const rows = await executor
    .selectFrom('eid.presentations')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('created_at', 'desc')
    .orderBy('jti')
    .limit(limit)
    .execute();
  return rows.map(presentationFrom);
}

/** Deletes up to `limit` presentations created before `cutoff`; returns how many. */
export async function deletePresentationsBefore(db: Db, cutoff: Date, limit: number): Promise<number> {
  const deleted = await db
    .deleteFrom('eid.presentations')
    .where('jti', 'in', (eb) =>
      eb.selectFrom('eid.presentations').select('jti').where('created_at', '<', cutoff).limit(limit),
    )
    .executeTakeFirst();
  return Number(deleted.numDeletedRows);
}

// ---------------------------------------------------------------------------------------------
// Documents

export async function upsertDocument(
  executor: Executor,
  row: Omit<DocumentRow, 'integrated_at' | 'updated_at'> & { now: Date },
): Promise<{ created: boolean; row: Selectable<DocumentRow> }> {
  const { now, ...values } = row;
  const existing = await executor
    .selectFrom('eid.documents')
    .selectAll()
    .where('account_id', '=', values.account_id)
    .where('kind', '=', values.kind)
    .executeTakeFirst();
  const stored = await executor
    .insertInto('eid.documents')
    .values({ ...values, integrated_at: now, updated_at: now })
    .onConflict((oc) =>
      oc.columns(['account_id', 'kind']).doUpdateSet({
        reference: values.reference,
        snapshot_on: values.snapshot_on,
        updated_at: now,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return { created: !existing, row: stored };
}

export function documentsOf(executor: Executor, accountId: string): Promise<Selectable<DocumentRow>[]> {
  return executor.selectFrom('eid.documents').selectAll().where('account_id', '=', accountId).orderBy('kind').execute();
}

export async function deleteDocument(executor: Executor, accountId: string, kind: DocumentKind): Promise<boolean> {
  const deleted = await executor
    .deleteFrom('eid.documents')
    .where('account_id', '=', accountId)
    .where('kind', '=', kind)
    .executeTakeFirst();
  return Number(deleted.numDeletedRows) > 0;
}

// ---------------------------------------------------------------------------------------------
// Secrets

/** A context secret made once at random by whichever process gets there first, sealed at rest. */
export async function eidSecret(db: Db, secrets: SecretBox, name: string, now: Date, bytes = 32): Promise<Buffer> {
  const context = `eid-secret:${name}`;
  await db
    .insertInto('eid.secrets')
    .values({ name, sealed: secrets.seal(randomBytes(bytes), context), created_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('eid.secrets').select('sealed').where('name', '=', name).executeTakeFirstOrThrow();
  return secrets.open(row.sealed, context);
}
