import { randomInt, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { PortalDb, PortalTrx } from './database.ts';
import { isUniqueViolation } from './database.ts';
import { notifyUser } from './messaging.ts';
import type { PlatformClient } from './platform-client.ts';
import { checkTransition, EVENT_LABELS, STATE_LABELS, type Actor, type DossierEvent } from './processing.ts';
import { portalProblem } from './problems.ts';
import type { DossierRecord, DossierState, FileSlot } from './tables.ts';

/**
 * Dossiers: drafts, their files, submission, and every later transition through the state machine
 * (processing.ts). A transition is one transaction: the conditional update (state and version as
 * read), its event row, the applicant's notification and SMS. Nothing is half-written: a refused
 * transition or a failure changes nothing.
 */
export type Dossier = Omit<DossierRecord, 'fields' | 'claims'> & {
  fields: Record<string, string>;
  claims: Record<string, unknown>;
};

export async function getDossier(db: PortalDb | PortalTrx, id: string): Promise<Dossier | undefined> {
  if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
  const row = await db.selectFrom('portal.dossiers').selectAll().where('id', '=', id).executeTakeFirst();
  return row as unknown as Dossier | undefined;
}

export async function createDraft(
  db: PortalDb,
  input: {
    userId: string;
    procedureCode: string;
    feeVnd: number;
    deadlineDays: number;
    claims: Record<string, unknown>;
    fields: Record<string, string>;
  },
  now: Date,
): Promise<Dossier> {
  const row = await db
    .insertInto('portal.dossiers')
    .values({
      id: randomUUID(),
      number: null,
      user_id: input.userId,
      procedure_code: input.procedureCode,
      state: 'draft',
      fields: JSON.stringify(input.fields),
      claims: JSON.stringify(input.claims),
      review_code: null,
      fee_vnd: input.feeVnd,
      deadline_days: input.deadlineDays,
      deadline: null,
      deadline_local: null,
      decision_reason: null,
      delivery_note: null,
      created_at: now,
      updated_at: now,
      submitted_at: null,
      paid_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return row as unknown as Dossier;
}

/** Saves a draft's fields (only while it is a draft, or while additions are requested). */
export async function saveDraftFields(
  db: PortalDb,
  dossier: Dossier,
  fields: Record<string, string>,
  now: Date,
): Promise<void> {
  await db
    .updateTable('portal.dossiers')
    .set({ fields: JSON.stringify(fields), updated_at: now })
    .where('id', '=', dossier.id)
    .where('state', '=', 'draft')
    .execute();
}

export async function storeFile(
  db: PortalDb,
  dossierId: string,
  file: { slot: FileSlot; filename: string; data: Buffer; width: number; height: number; sha256: string },
  now: Date,
): Promise<string> {
  const id = randomUUID();
  await db.transaction().execute(async (trx) => {
    if (file.slot !== 'attachment') {
      await trx
        .deleteFrom('portal.dossier_files')
        .where('dossier_id', '=', dossierId)
        .where('slot', '=', file.slot)
        .execute();
    }
    await trx
      .insertInto('portal.dossier_files')
      .values({
        id,
        dossier_id: dossierId,
        slot: file.slot,
        filename: file.filename || `${file.slot}.jpg`,
        content_type: 'image/jpeg',
        bytes: file.data,
        size: file.data.length,
        width: file.width,
        height: file.height,
        sha256: file.sha256,
        created_at: now,
      })
      .execute();
  });
  return id;
}

export async function filesOf(db: PortalDb, dossierId: string) {
  return db
    .selectFrom('portal.dossier_files')
    .select(['id', 'slot', 'filename', 'size', 'width', 'height', 'created_at'])
    .where('dossier_id', '=', dossierId)
    .orderBy('created_at')
    .execute();
}

export async function eventsOf(db: PortalDb, dossierId: string) {
  return db.selectFrom('portal.dossier_events').selectAll().where('dossier_id', '=', dossierId).orderBy('id').execute();
}

/** Runs `work` in the caller's transaction, or in a new one. */
export function inTransaction<T>(db: PortalDb | PortalTrx, work: (trx: PortalTrx) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db as PortalTrx) : (db as PortalDb).transaction().execute(work);
}

function dossierNumber(now: Date): string {
  const d = new Date(now.getTime() + 7 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '');
  return `HC-${d}-${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
}

export interface TransitionInput {
  dossierId: string;
  event: DossierEvent;
  actor: { kind: Actor; id: string };
  reason?: string | undefined;
  /** The version the actor saw (officers' pages carry it): a stale page gets a conflict. */
  expectedVersion?: number | undefined;
  /** Extra columns to set with the transition (deadline, number, note…). */
  set?: Partial<
    Pick<
      DossierRecord,
      'deadline' | 'deadline_local' | 'decision_reason' | 'delivery_note' | 'paid_at' | 'submitted_at' | 'number'
    >
  >;
  /** Work inside the same transaction (the payment row, …). */
  within?: (trx: PortalTrx, dossier: Dossier) => Promise<void>;
}

/**
 * Applies one transition of the state machine. Throws PORTAL_CONFLICT when the table does not
 * allow it from the dossier's state (or the version moved on), PORTAL_VALIDATION when a reason
 * is required and missing.
 */
export async function transition(db: PortalDb | PortalTrx, input: TransitionInput, now: Date): Promise<Dossier> {
  return inTransaction(db, async (trx) => {
    const current = (await trx
      .selectFrom('portal.dossiers')
      .selectAll()
      .where('id', '=', input.dossierId)
      .forUpdate()
      .executeTakeFirst()) as unknown as Dossier | undefined;
    if (!current) throw portalProblem('PORTAL_NOT_FOUND', { what: 'hồ sơ' });
    const label = EVENT_LABELS[input.event].vi;
    if (input.expectedVersion !== undefined && current.version !== input.expectedVersion) {
      throw portalProblem('PORTAL_CONFLICT', { state: STATE_LABELS[current.state].vi, event: label });
    }
    const check = checkTransition(current.state, input.event, input.actor.kind, input.reason);
    if (!check.ok) {
      if (check.reason === 'reason_required') {
        throw portalProblem(
          'PORTAL_VALIDATION',
          {},
          {
            field: 'reason',
            detail: { errors: [{ field: 'reason', message: 'Vui lòng ghi rõ lý do (ít nhất 5 ký tự).' }] },
          },
        );
      }
      if (current.state === 'awaiting_payment' && input.actor.kind === 'officer') throw portalProblem('PORTAL_UNPAID');
      throw portalProblem('PORTAL_CONFLICT', { state: STATE_LABELS[current.state].vi, event: label });
    }
    const to: DossierState = check.transition.to;
    const updated = (await trx
      .updateTable('portal.dossiers')
      .set({ ...input.set, state: to, updated_at: now, version: sql`version + 1` })
      .where('id', '=', current.id)
      .where('state', '=', current.state)
      .where('version', '=', current.version)
      .returningAll()
      .executeTakeFirst()) as unknown as Dossier | undefined;
    if (!updated) throw portalProblem('PORTAL_CONFLICT', { state: STATE_LABELS[current.state].vi, event: label });
    await trx
      .insertInto('portal.dossier_events')
      .values({
        dossier_id: current.id,
        event: input.event,
        from_state: current.state,
        to_state: to,
        actor_kind: input.actor.kind,
        actor_id: input.actor.id,
        reason: input.reason?.trim() || null,
        at: now,
      })
      .execute();
    await input.within?.(trx, updated);
    const user = await trx
      .selectFrom('portal.users')
      .select(['phone'])
      .where('id', '=', updated.user_id)
      .executeTakeFirstOrThrow();
    const msg = noticeText(updated, input.event, input.reason);
    await notifyUser(
      trx,
      {
        userId: updated.user_id,
        dossierId: updated.id,
        vi: msg.vi,
        en: msg.en,
        smsTo: updated.fields.contact_phone || user.phone,
      },
      now,
    );
    return updated;
  });
}

function noticeText(d: Dossier, event: DossierEvent, reason?: string): { vi: string; en: string } {
  const n = d.number ?? '';
  const why = reason?.trim() ? ` Lý do: ${reason.trim()}` : '';
  const whyEn = reason?.trim() ? ` Reason: ${reason.trim()}` : '';
  switch (event) {
    case 'submit':
      return {
        vi: `Hồ sơ ${n} đã được nộp. Vui lòng nộp lệ phí để hồ sơ được chuyển đến cơ quan xuất nhập cảnh.`,
        en: `Dossier ${n} was submitted. Pay the fee so that it goes to the immigration office.`,
      };
    case 'pay':
      return {
        vi: `Hồ sơ ${n} đã được nộp lệ phí, chờ cơ quan xuất nhập cảnh tiếp nhận.`,
        en: `The fee of dossier ${n} is paid; it awaits receipt by the immigration office.`,
      };
    case 'receive':
      return {
        vi: `Hồ sơ ${n} đã được tiếp nhận. Hạn giải quyết: ${d.deadline_local ? d.deadline_local.slice(0, 10).split('-').reverse().join('/') : ''}.`,
        en: `Dossier ${n} was received. Decision due by ${d.deadline_local?.slice(0, 10) ?? ''}.`,
      };
    case 'request_additions':
      return { vi: `Hồ sơ ${n} cần bổ sung.${why}`, en: `Dossier ${n} needs additions.${whyEn}` };
    case 'supplement':
      return {
        vi: `Hồ sơ ${n} đã được bổ sung và chuyển lại cơ quan xử lý.`,
        en: `Dossier ${n} was supplemented and sent back for processing.`,
      };
    case 'approve':
      return { vi: `Hồ sơ ${n} đã được duyệt cấp hộ chiếu.`, en: `Dossier ${n} was approved.` };
    case 'refuse':
      return { vi: `Hồ sơ ${n} bị từ chối cấp hộ chiếu.${why}`, en: `Dossier ${n} was refused.${whyEn}` };
    case 'produce':
      return {
        vi: `Hộ chiếu của hồ sơ ${n} đã được in, chờ trả kết quả.`,
        en: `The passport of dossier ${n} is produced.`,
      };
    case 'deliver':
      return { vi: `Hồ sơ ${n} đã trả kết quả.${why}`, en: `Dossier ${n} was delivered.${whyEn}` };
  }
}

/** Submits a complete draft: a dossier number, then the state machine's `submit`. */
export async function submitDossier(
  db: PortalDb,
  dossier: Dossier,
  userId: string,
  within: (trx: PortalTrx, d: Dossier) => Promise<void>,
  now: Date,
): Promise<Dossier> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await transition(
        db,
        {
          dossierId: dossier.id,
          event: 'submit',
          actor: { kind: 'applicant', id: userId },
          expectedVersion: dossier.version,
          set: { number: dossierNumber(now), submitted_at: now },
          within,
        },
        now,
      );
    } catch (error) {
      if (attempt < 3 && isUniqueViolation(error)) continue;
      throw error;
    }
  }
}

/** Receipt by an officer: the legal deadline comes from the platform's working-day calendar. */
export async function receiveDossier(
  db: PortalDb,
  platform: Pick<PlatformClient, 'addWorkingDays'>,
  input: { dossierId: string; officerSub: string; expectedVersion?: number },
  now: Date,
): Promise<Dossier> {
  const dossier = await getDossier(db, input.dossierId);
  if (!dossier) throw portalProblem('PORTAL_NOT_FOUND', { what: 'hồ sơ' });
  const deadline = await platform.addWorkingDays(now, dossier.deadline_days);
  return transition(
    db,
    {
      dossierId: input.dossierId,
      event: 'receive',
      actor: { kind: 'officer', id: input.officerSub },
      expectedVersion: input.expectedVersion,
      set: { deadline: new Date(deadline.deadline), deadline_local: deadline.deadline_local },
    },
    now,
  );
}
