import { randomUUID } from 'node:crypto';
import type { AuditService } from '../audit/service.ts';
import type { BackofficeService } from '../backoffice/service.ts';
import type { CalendarService } from '../calendar/service.ts';
import { vnDate } from '../calendar/working-days.ts';
import type { IdentityService } from '../identity/service.ts';
import type { NotifyService } from '../notify/service.ts';
import type { TemplateName, TemplateParams } from '../notify/templates.ts';
import type { Platform } from '../platform/context.ts';
import type { Executor, Trx } from '../platform/database.ts';
import { platformProblem, Problem } from '../platform/errors.ts';
import { normalisePhone } from '../registries/model.ts';
import {
  deadlineRule,
  FLOWS,
  issuanceProblem,
  PROCEDURE_INFO,
  reasonText,
  transitionFor,
  type Application,
  type ApplicationState,
  type Checks,
  type DeadlineFacts,
  type Dossier,
  type FlowEvent,
  type Procedure,
  type Reason,
} from './model.ts';
import {
  appendEvent,
  findApplication,
  findByIdempotencyKey,
  insertApplication,
  nextNumber,
  updateIfUnchanged,
  type ApplicationPatch,
} from './repository.ts';

/**
 * The engine every procedure runs on: a submission inserts an application in the first state its
 * flow allows; every later change is a transition of the flow table (model.ts), applied under a
 * row lock and a version check, in one transaction with its history event, its audit entry, its
 * effect on the account and its notices (outbox). Nothing is half-written: if any part fails, none
 * of it happened.
 */

export interface Actor {
  kind: 'officer' | 'subject' | 'system' | 'public';
  id: string;
}

/** What the representation context offers issuance (linking a dependant's new account). */
export interface RepresentationLinker {
  link(
    executor: Executor,
    input: {
      representativeAccountId: string;
      dependantAccountId: string;
      /**
       * The dependant's subject: its account is created in this same transaction, so the
       * representation context cannot read it yet and needs to be told whom it represents.
       */
      dependant: { kind: 'citizen' | 'foreigner' | 'organisation'; registryId: string };
      basis: string;
      validFrom: string;
      validUntil: string | null;
      evidence: Record<string, unknown>;
      actor: Actor;
    },
  ): Promise<unknown>;
}

export interface EngineDeps {
  identity: IdentityService;
  backoffice: BackofficeService;
  calendar: CalendarService;
  notify: NotifyService;
  audit: AuditService;
  representation?: RepresentationLinker;
}

/** A checked submission, ready to be stored: what a procedure's intake produces. */
export interface Intake {
  procedure: Procedure;
  /** The submit transition's target; must be allowed by the flow. */
  outcome: ApplicationState;
  subject: { kind: 'citizen' | 'foreigner' | 'organisation'; registryId: string | null; name: string };
  dossier: Dossier;
  checks: Checks;
  reasons: Reason[];
  deadlineFacts: DeadlineFacts;
  unitId: string;
  submittedBy: string | null;
  receivedBy: string | null;
  representativeAccountId: string | null;
  /** Existing account (upgrade). */
  accountId?: string | null;
  consentDueAt?: Date | null;
  consents?: { registryId: string; fullName: string; accountId: string | null; phone: string | null }[];
  idempotency?: { scope: string; key: string; hash: string } | null;
}

export interface Submitted {
  application: Application;
  /** True when the idempotency key returned an earlier submission. */
  replayed: boolean;
}

export const APPLICATION_SUBJECT = (id: string) => ({ kind: 'application', id });

/** Problems from the account side that turn an automatic approval into a refusal. */
const ACCOUNT_REFUSALS: Record<string, Reason['code']> = {
  PHONE_ALREADY_BOUND: 'phone_already_bound',
  ACCOUNT_ALREADY_EXISTS: 'account_exists',
};

export function createEngine(platform: Platform, deps: EngineDeps) {
  const { db, clock } = platform;
  const { identity, backoffice, calendar, notify, audit } = deps;

  async function dueAt(procedure: Procedure, facts: DeadlineFacts, from: Date) {
    const rule = deadlineRule(procedure, facts);
    const due =
      rule.unit === 'working'
        ? await calendar.addWorkingDays(from, rule.days)
        : await calendar.addCalendarDays(from, rule.days);
    return { rule, due };
  }

  // --- notices ---------------------------------------------------------------------------------

  /** The phone notices go to: the applicant's, or the representative's for a dependant. */
  function contactPhone(app: Pick<Application, 'dossier'>): string | null {
    const phone = app.dossier.phone;
    return phone ? normalisePhone(phone) : null;
  }

  async function sendNotices<T extends TemplateName>(
    trx: Trx,
    app: Application,
    template: T,
    params: TemplateParams[T],
    extraInboxes: (string | null)[] = [],
  ): Promise<void> {
    const locale = app.dossier.locale ?? 'vi';
    const key = (channel: string, to: string) => `issuance:${app.id}:${template}:${channel}:${to}`;
    const inboxes = new Set(
      [app.submittedBy, app.accountId, app.representativeAccountId, ...extraInboxes].filter(
        (x): x is string => typeof x === 'string',
      ),
    );
    const base = { template, params, locale, accountId: app.accountId ?? undefined } as const;
    for (const accountId of inboxes) {
      await notify.enqueue(trx, {
        ...base,
        channel: 'inbox',
        recipient: accountId,
        key: key('inbox', accountId),
      } as never);
    }
    const phone = contactPhone(app);
    if (phone)
      await notify.enqueue(trx, { ...base, channel: 'sms', recipient: phone, key: key('sms', phone) } as never);
    const email = app.dossier.email;
    if (email)
      await notify.enqueue(trx, { ...base, channel: 'email', recipient: email, key: key('email', email) } as never);
  }

  async function noticeFor(trx: Trx, app: Application): Promise<void> {
    const procedure = PROCEDURE_INFO[app.procedure].notice;
    const applicationNo = app.number;
    switch (app.state) {
      case 'received':
      case 'awaiting_card':
      case 'manual_review':
        if (app.receivedAt && app.dueAt) {
          await sendNotices(trx, app, 'application_received', {
            applicationNo,
            procedure,
            receivedOn: vnDate(app.receivedAt),
            dueOn: vnDate(app.dueAt),
          });
        }
        return;
      case 'approved':
        await sendNotices(trx, app, 'application_approved', { applicationNo, procedure });
        return;
      case 'rejected':
        await sendNotices(trx, app, 'application_rejected', {
          applicationNo,
          procedure,
          reasons: app.reasons.map((r) => reasonText(r, app.dossier.locale ?? 'vi')),
        });
        return;
      default:
        return;
    }
  }

  // --- effects ---------------------------------------------------------------------------------

  /**
   * Approval: the account comes into being (or is raised to level 2, keeping it) in the same
   * transaction as the decision; a dependant's account is linked to its representative.
   * Decree 69/2024 Art 14: the result notice starts the 7-day activation period.
   */
  async function approveAccount(
    trx: Trx,
    app: Pick<
      Application,
      'procedure' | 'registryId' | 'subjectName' | 'dossier' | 'accountId' | 'representativeAccountId'
    >,
    actor: Actor,
  ): Promise<string> {
    const info = PROCEDURE_INFO[app.procedure];
    if (app.procedure === 'citizen_upgrade') {
      const current = await identity.get(app.accountId!);
      if (!current) throw platformProblem('NOT_FOUND', { what: 'account' });
      const upgraded = await identity.upgradeToLevel2(trx, current.id, { expectedVersion: current.version, actor });
      return upgraded.id;
    }
    if (!app.registryId) throw issuanceProblem('APPLICATION_INVALID', { reason: 'the subject has no registry record' });
    const d = app.dossier;
    const dependant = d.representative !== undefined;
    const account = await identity.createAccount(trx, {
      subjectKind: info.subjectKind,
      registryId: app.registryId,
      pin: d.pin ?? null,
      passport: d.passport ?? null,
      enterpriseCode: d.enterpriseCode ?? null,
      fullName: app.subjectName,
      level: info.level,
      // DOMAIN.md §4: dependants (and organisations) use their representative's phone, bound to
      // the representative's own account; the new account has none of its own.
      phone: dependant || info.subjectKind === 'organisation' ? null : (d.phone ?? null),
      email: d.email ?? null,
      actor,
    });
    // Fix: an 'authorised' filer (TK02 for an organisation in no registry) has no basis the
    // representation context can read from the registries; linking refused it
    // (REPRESENTATION_NOT_ESTABLISHED) and with it the whole approval. The account is created; the
    // authorisation document is recorded through the representation context by an officer.
    if (
      d.representative &&
      d.representative.basis !== 'authorised' &&
      app.representativeAccountId &&
      deps.representation
    ) {
      await deps.representation.link(trx, {
        representativeAccountId: app.representativeAccountId,
        dependantAccountId: account.id,
        // Fix: without the subject, createRepresentationService().link looks the new account up
        // outside this transaction, does not find it, and the approval fails with NOT_FOUND.
        dependant: { kind: info.subjectKind, registryId: app.registryId },
        basis: d.representative.basis,
        validFrom: d.representative.validFrom ?? vnDate(clock.now()),
        validUntil: d.representative.validUntil ?? null,
        evidence: d.representative.evidence ?? {},
        actor,
      });
    }
    return account.id;
  }

  async function record(
    trx: Trx,
    app: Application,
    event: FlowEvent,
    from: ApplicationState | null,
    actor: Actor,
    detail: Record<string, unknown> = {},
  ) {
    const at = clock.now();
    await appendEvent(trx, { applicationId: app.id, at, event, from, to: app.state, actor, detail });
    await audit.append(trx, {
      actor,
      action: `issuance.application.${event}`,
      subject: APPLICATION_SUBJECT(app.id),
      outcome: 'success',
      detail: {
        number: app.number,
        procedure: app.procedure,
        from,
        to: app.state,
        ...(app.reasons.length > 0 ? { reasons: app.reasons.map((r) => r.code) } : {}),
        ...detail,
      },
    });
  }

  // --- submission ------------------------------------------------------------------------------

  async function replay(idem: NonNullable<Intake['idempotency']>): Promise<Submitted | undefined> {
    const earlier = await findByIdempotencyKey(db, idem.scope, idem.key);
    if (!earlier) return undefined;
    if (earlier.requestHash !== idem.hash) throw issuanceProblem('IDEMPOTENCY_KEY_REUSED');
    const { requestHash: _ignored, ...application } = earlier;
    return { application, replayed: true };
  }

  async function submit(intake: Intake, actor: Actor): Promise<Submitted> {
    if (intake.idempotency) {
      const earlier = await replay(intake.idempotency);
      if (earlier) return earlier;
    }
    let outcome: ApplicationState = intake.reasons.length > 0 ? 'rejected' : intake.outcome;
    if (!FLOWS[intake.procedure].some((x) => x.from === 'start' && x.to === outcome)) {
      throw new Error(`procedure ${intake.procedure} cannot start in ${outcome}`);
    }
    const now = clock.now();
    try {
      return await db.transaction().execute(async (trx) => {
        const number = await nextNumber(trx, Number(vnDate(now).slice(0, 4)));
        const id = randomUUID();
        let reasons = intake.reasons;
        let accountId = intake.accountId ?? null;
        if (outcome === 'approved') {
          try {
            accountId = await approveAccount(
              trx,
              { ...intake, registryId: intake.subject.registryId, subjectName: intake.subject.name, accountId },
              actor,
            );
          } catch (error) {
            const code = error instanceof Problem ? ACCOUNT_REFUSALS[error.code] : undefined;
            if (!code) throw error;
            outcome = 'rejected';
            reasons = [{ code }];
          }
        }
        const waitsForConsent = outcome === 'awaiting_consent';
        const deadline = waitsForConsent ? null : await dueAt(intake.procedure, intake.deadlineFacts, now);
        const inserted = await insertApplication(trx, {
          id,
          number,
          procedure: intake.procedure,
          state: outcome,
          subject_kind: intake.subject.kind,
          registry_id: intake.subject.registryId,
          subject_name: intake.subject.name,
          dossier: intake.dossier,
          checks: intake.checks,
          reasons,
          unit_id: intake.unitId,
          submitted_by: intake.submittedBy,
          received_by: intake.receivedBy,
          representative_account_id: intake.representativeAccountId,
          received_at: waitsForConsent ? null : now,
          due_at: deadline?.due ?? null,
          deadline_days: deadline?.rule.days ?? null,
          deadline_unit: deadline?.rule.unit ?? null,
          consent_due_at: intake.consentDueAt ?? null,
          decided_at: outcome === 'approved' || outcome === 'rejected' ? now : null,
          decided_by: outcome === 'approved' || outcome === 'rejected' ? `${actor.kind}:${actor.id}` : null,
          account_id: accountId,
          flag: null,
          idempotency_scope: intake.idempotency?.scope ?? null,
          idempotency_key: intake.idempotency?.key ?? null,
          request_hash: intake.idempotency?.hash ?? null,
          created_at: now,
          updated_at: now,
        });
        // The same key committed meanwhile by a concurrent request: roll back and return that one.
        if (!inserted) throw new ReplayRace();
        if (intake.consents && intake.consents.length > 0) await consentsHook?.(trx, inserted, intake.consents);
        await record(trx, inserted, 'submit', null, actor, { channel: PROCEDURE_INFO[intake.procedure].channel });
        await noticeFor(trx, inserted);
        return { application: inserted, replayed: false };
      });
    } catch (error) {
      if (error instanceof ReplayRace && intake.idempotency) {
        const earlier = await replay(intake.idempotency);
        if (earlier) return earlier;
      }
      throw error;
    }
  }

  // --- transitions -----------------------------------------------------------------------------

  interface Fire {
    event: FlowEvent;
    expectedVersion?: number;
    reasons?: Reason[];
    note?: string;
    /** Extra changes to store with the transition (e.g. a new unit when forwarding to C06). */
    patch?: ApplicationPatch;
    /** Runs inside the transaction before the state changes (e.g. recording a consent). */
    before?: (trx: Trx, app: Application) => Promise<void>;
    /** Inbox recipients beyond the applicant's (e.g. co-representatives). */
    notify?: (trx: Trx, app: Application) => Promise<void>;
  }

  /**
   * Applies one event of the flow. Locks the row first (SELECT … FOR UPDATE) so two officers
   * deciding at once are serialised: the second sees the new version and gets CONFLICT, and never
   * runs the approval's effect twice.
   */
  async function fire(applicationId: string, actor: Actor, command: Fire): Promise<Application> {
    return db.transaction().execute(async (trx) => {
      const current = await lockApplication(trx, applicationId);
      if (command.expectedVersion !== undefined && current.version !== command.expectedVersion) {
        throw platformProblem('CONFLICT');
      }
      const transition = transitionFor(current.procedure, current.state, command.event);
      if (!transition) {
        throw issuanceProblem('APPLICATION_TRANSITION_NOT_ALLOWED', { event: command.event, state: current.state });
      }
      await command.before?.(trx, current);
      const now = clock.now();
      const patch: ApplicationPatch = { state: transition.to, ...command.patch };
      if (transition.to === 'rejected') {
        if (!command.reasons || command.reasons.length === 0) throw issuanceProblem('REASONS_REQUIRED');
        patch.reasons = command.reasons;
      }
      if (transition.to === 'approved' || transition.to === 'rejected' || transition.to === 'lapsed') {
        patch.decided_at = now;
        patch.decided_by = `${actor.kind}:${actor.id}`;
        patch.flag = null;
      }
      if (transition.to === 'approved') {
        if (current.receivedAt === null) {
          // Organisation in the app: the dossier is complete once the last consent is in (Art 13.1).
          const { rule, due } = await dueAt(current.procedure, {}, now);
          Object.assign(patch, { received_at: now, due_at: due, deadline_days: rule.days, deadline_unit: rule.unit });
        }
        patch.account_id = await approveAccount(trx, current, actor);
      }
      const updated = await updateIfUnchanged(trx, current, patch, now);
      if (!updated) throw platformProblem('CONFLICT');
      await record(trx, updated, command.event, current.state, actor, command.note ? { note: command.note } : {});
      await noticeFor(trx, updated);
      await command.notify?.(trx, updated);
      return updated;
    });
  }

  async function lockApplication(trx: Trx, id: string): Promise<Application> {
    const found = await findApplication(trx, id);
    if (!found) throw platformProblem('NOT_FOUND', { what: 'application' });
    const locked = await trx
      .selectFrom('issuance.applications')
      .select('version')
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    // Re-read under the lock: another transaction may have committed between the two reads.
    return Number(locked.version) === found.version ? found : (await findApplication(trx, id))!;
  }

  /** Officers act through their roles in the unit handling the application (or a unit above it). */
  async function checkOfficer(officerId: string, app: Application, role: 'RECEIVER' | 'APPROVER') {
    if (!(await backoffice.mayAct(officerId, role, app.unitId))) {
      throw issuanceProblem('OFFICER_ROLE_REQUIRED', { role });
    }
  }

  let consentsHook: ((trx: Trx, app: Application, rows: NonNullable<Intake['consents']>) => Promise<void>) | undefined;

  return {
    submit,
    fire,
    sendNotices,
    checkOfficer,
    lockApplication,
    /** The organisation flow registers how to store and announce consents (organisation.ts). */
    onConsents(hook: NonNullable<typeof consentsHook>) {
      consentsHook = hook;
    },
    get: (id: string) => findApplication(db, id),
  };
}

export type Engine = ReturnType<typeof createEngine>;

class ReplayRace extends Error {}
