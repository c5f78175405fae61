import { randomUUID } from 'node:crypto';
import type { AuditService } from '../audit/service.ts';
import { vnDate } from '../calendar/working-days.ts';
import type { IdentityService } from '../identity/service.ts';
import type { NotifyService } from '../notify/service.ts';
import type { Platform } from '../platform/context.ts';
import type { Executor, Trx } from '../platform/database.ts';
import { platformProblem, Problem } from '../platform/errors.ts';
import { daysFromIso } from '../registries/dates.ts';
import type { NationalRegistries } from '../registries/ports.ts';
import {
  authorisedBasis,
  CONFIRMATION_ACTIONS,
  DEFAULT_CONFIRMATION_TTL_MS,
  effectiveStatus,
  endReasonOf,
  findBasis,
  MAX_DETAIL_BYTES,
  REFUSALS,
  representationProblem,
  validOn,
  type Actor,
  type BasisResult,
  type Confirmation,
  type ConfirmationAction,
  type ConfirmationTtl,
  type Decision,
  type DependantFacts,
  type EndReason,
  type Established,
  type IsoDate,
  type Link,
  type RepresentativeFacts,
  type SubjectRef,
} from './model.ts';
import {
  claimDueLinks,
  confirmationById,
  endLink,
  expireDue,
  expirePendingOfLink,
  insertConfirmation,
  insertLink,
  isUuid,
  linkById,
  linksValidOn,
  pendingFor,
  settle,
} from './repository.ts';

export type { BasisResult, Confirmation, ConfirmationAction, Decision, Established, Link, SubjectRef };

export interface NewLink {
  representativeAccountId: string;
  dependantAccountId: string;
  /**
   * The dependant's subject. Needed when the dependant's account is created in the caller's
   * transaction (the identity service cannot see it yet); checked against the account otherwise.
   */
  dependant?: SubjectRef;
  /**
   * An authorisation (Civil Code Art 138) an officer checked; without one the basis comes from
   * the national registries (parent, guardian, legal representative).
   */
  authorisation?: { document: string; issuedOn: IsoDate; validUntil?: IsoDate | null; grantedBy?: string };
  /** The day the representation is established (default: today in Vietnam). */
  on?: IsoDate;
  actor: Actor;
}

export interface ConfirmationRequest {
  dependantAccountId: string;
  action: ConfirmationAction;
  /** What the representative is shown (relying party, data asked for…); a small JSON object. */
  detail?: Record<string, unknown>;
  /** Ask this representative; default: the one whose link is oldest (who filed for the account). */
  representativeAccountId?: string;
  actor?: Actor;
}

export interface RepresentationService {
  /** Whether `representative` may represent `dependant` on `on`, read from the national registries. */
  basisFor(representative: SubjectRef, dependant: SubjectRef, on: IsoDate): Promise<BasisResult>;
  /**
   * Records a representation in the caller's transaction (the issuance engine, when it approves a
   * dependant's account). Audited. Throws REPRESENTATION_NOT_ESTABLISHED, REPRESENTATION_EXISTS (409).
   */
  link(executor: Executor, input: NewLink): Promise<Link>;
  /** Ends a link before its term (a court decision, an officer's correction). Audited. */
  revoke(executor: Executor, linkId: string, options: { expectedVersion: number; actor: Actor }): Promise<Link>;
  /** Live links of a dependant that hold today (Vietnam date of the platform clock). */
  representativesOf(dependantAccountId: string): Promise<Link[]>;
  /** Live links of a representative that hold today. */
  dependantsOf(representativeAccountId: string): Promise<Link[]>;
  /**
   * A pending request for the representative to confirm an action of the dependant's account, and
   * a notice in the representative's inbox. Throws REPRESENTATION_NONE (409) without a live link.
   */
  requestConfirmation(executor: Executor, input: ConfirmationRequest): Promise<Confirmation>;
  /**
   * The representative's answer. Only the addressee may answer (others: NOT_FOUND, revealing
   * nothing); a stale version or a concurrent answer: CONFLICT; past its expiry: CONFIRMATION_EXPIRED.
   */
  decide(
    confirmationId: string,
    representativeAccountId: string,
    decision: Decision,
    expectedVersion: number,
  ): Promise<Confirmation>;
  /**
   * The dependant gives up the action (e.g. cancels the sign-in waiting for it): a pending request
   * is settled as void at once, so the representative is no longer asked. Only for the dependant the
   * request is about; anything already answered stays as it is. Returns whether it was withdrawn.
   */
  withdraw(confirmationId: string, dependantAccountId: string): Promise<boolean>;
  /** A request as its reader sees it (a pending one past its expiry reads as expired). */
  confirmationOf(confirmationId: string): Promise<Confirmation | undefined>;
  /** Requests waiting for this representative's answer, oldest first. */
  pendingFor(representativeAccountId: string): Promise<Confirmation[]>;
  /**
   * Job: ends every live link whose term has come (a minor's 14th birthday, a guardianship's end),
   * tells the representative, and asks the young person to take the account over. Idempotent and
   * safe in several processes. Returns how many links it ended.
   */
  endAtFourteen(limit?: number): Promise<number>;
  /** Job: stores `expired` on pending requests past their expiry. Returns how many. */
  expireConfirmations(limit?: number): Promise<number>;
}

export interface RepresentationDeps {
  registries: NationalRegistries;
  audit: Pick<AuditService, 'append'>;
  notify: Pick<NotifyService, 'enqueue'>;
  identity: Pick<IdentityService, 'get'>;
  /** How long a representative has to answer, per action (policy; default 15 min / 24 h). */
  confirmationTtl?: Partial<ConfirmationTtl>;
}

const ACCOUNT = (id: string) => ({ kind: 'account', id });
const SYSTEM: Actor = { kind: 'system', id: 'representation' };

function inTransaction<T>(executor: Executor, run: (trx: Trx) => Promise<T>): Promise<T> {
  return executor.isTransaction ? run(executor as Trx) : executor.transaction().execute(run);
}

function invalid(reason: string, field?: string): Problem {
  return representationProblem('REPRESENTATION_INVALID', { reason }, field ? { field } : {});
}

function checkDate(on: string, field: string): void {
  try {
    daysFromIso(on);
  } catch {
    throw invalid(`${field} must be a date YYYY-MM-DD`, field);
  }
}

/** A confirmation's detail: a plain JSON object, small enough to show. */
function checkDetail(detail: unknown): Record<string, unknown> {
  if (detail === undefined) return {};
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
    throw invalid('detail must be an object', 'detail');
  }
  const json = JSON.stringify(detail);
  if (Buffer.byteLength(json) > MAX_DETAIL_BYTES) throw invalid(`detail is over ${MAX_DETAIL_BYTES} bytes`, 'detail');
  return JSON.parse(json) as Record<string, unknown>;
}

const SUBJECT_KINDS: readonly string[] = ['citizen', 'foreigner', 'organisation'];

function checkSubject(subject: SubjectRef, field: string): void {
  if (!SUBJECT_KINDS.includes(subject?.kind) || typeof subject.registryId !== 'string' || !subject.registryId.trim()) {
    throw invalid(`${field} must name a subject kind and registry id`, field);
  }
}

function notEstablished(code: keyof typeof REFUSALS): Problem {
  return representationProblem(
    'REPRESENTATION_NOT_ESTABLISHED',
    { reasonVi: REFUSALS[code].vi, reasonEn: REFUSALS[code].en },
    { detail: { reason: code } },
  );
}

export function createRepresentationService(platform: Platform, deps: RepresentationDeps): RepresentationService {
  const { db, clock } = platform;
  const { registries, audit, notify, identity } = deps;
  const ttl: ConfirmationTtl = { ...DEFAULT_CONFIRMATION_TTL_MS, ...deps.confirmationTtl };

  /** Today in Vietnam: legal dates (a birthday, a guardianship's end) turn at 00:00 UTC+7. */
  const today = () => vnDate(clock.now());

  async function representativeFacts(subject: SubjectRef, on: IsoDate): Promise<RepresentativeFacts> {
    switch (subject.kind) {
      case 'citizen': {
        const [person, guardians] = await Promise.all([
          registries.identity.findById(subject.registryId),
          registries.identity.guardiansOf(subject.registryId, on),
        ]);
        return { kind: 'citizen', person, guardians };
      }
      case 'foreigner':
        return { kind: 'foreigner', person: await registries.immigration.findById(subject.registryId) };
      default:
        return { kind: 'organisation' };
    }
  }

  async function dependantFacts(subject: SubjectRef): Promise<DependantFacts> {
    switch (subject.kind) {
      case 'citizen': {
        // Every guardianship, past ones included: the rule tells "ended" from "never".
        const [person, family, guardians] = await Promise.all([
          registries.identity.findById(subject.registryId),
          registries.identity.familyOf(subject.registryId),
          registries.identity.guardiansOf(subject.registryId),
        ]);
        return { kind: 'citizen', person, family, guardians };
      }
      case 'foreigner': {
        const [person, family] = await Promise.all([
          registries.immigration.findById(subject.registryId),
          registries.immigration.familyOf(subject.registryId),
        ]);
        return { kind: 'foreigner', person, family };
      }
      default:
        return { kind: 'organisation', organisation: await registries.business.findById(subject.registryId) };
    }
  }

  async function basisFor(representative: SubjectRef, dependant: SubjectRef, on: IsoDate): Promise<BasisResult> {
    checkDate(on, 'on');
    checkSubject(representative, 'representative');
    checkSubject(dependant, 'dependant');
    const [r, d] = await Promise.all([representativeFacts(representative, on), dependantFacts(dependant)]);
    return findBasis(r, d, on);
  }

  /** The dependant's subject: from its account when visible, else as the caller names it. */
  async function dependantSubject(input: NewLink): Promise<SubjectRef> {
    const account = await identity.get(input.dependantAccountId);
    if (account) {
      if (account.status === 'closed') throw invalid('the dependant account is closed', 'dependantAccountId');
      const named = input.dependant;
      if (named && (named.kind !== account.subjectKind || named.registryId !== account.registryId)) {
        throw invalid('the dependant subject does not match its account', 'dependant');
      }
      return { kind: account.subjectKind, registryId: account.registryId };
    }
    if (!input.dependant) throw platformProblem('NOT_FOUND', { what: 'account' }, { field: 'dependantAccountId' });
    return input.dependant;
  }

  async function establish(input: NewLink, on: IsoDate): Promise<Established> {
    const representative = await identity.get(input.representativeAccountId);
    if (!representative || representative.status === 'closed') {
      throw platformProblem('NOT_FOUND', { what: 'account' }, { field: 'representativeAccountId' });
    }
    const dependant = await dependantSubject(input);
    // An organisation acts through people: only a person may hold an authorisation (Civil Code Art 138.1).
    if (input.authorisation && representative.subjectKind === 'organisation') {
      throw invalid('an authorised representative is a person', 'representativeAccountId');
    }
    const result = input.authorisation
      ? authorisedBasis(input.authorisation, on)
      : await basisFor({ kind: representative.subjectKind, registryId: representative.registryId }, dependant, on);
    if ('invalid' in result) throw invalid(result.invalid, 'authorisation');
    if ('refused' in result) throw notEstablished(result.refused);
    return result;
  }

  /** Inbox notices when a link ends: the representative, and a young person who turned 14. */
  async function noticesOfEnd(trx: Trx, link: Link, reason: EndReason, endedOn: IsoDate): Promise<void> {
    const dependant = await identity.get(link.dependantAccountId);
    if (!dependant) return;
    // authorisation_expired has no wording in the catalogue yet: the audit entry records it.
    if (reason === 'authorisation_expired') return;
    await notify.enqueue(trx, {
      channel: 'inbox',
      recipient: link.representativeAccountId,
      template: 'representation_ended',
      params: { dependantName: dependant.fullName, endedOn, reason },
      key: `representation-ended:${link.id}`,
    });
    // DOMAIN.md §5 (policy): at 14 the account passes to the young person, who sets their own
    // phone and credentials. (The catalogue has no wording yet for a ward whose guardianship
    // ended: `representation_ended` speaks to the representative; the audit entry records it.)
    if (reason !== 'dependant_turned_14' || dependant.status === 'closed') return;
    // One notice per dependant and birthday, however many parents' links end that day.
    const remaining = await linksValidOn(trx, 'dependant_account_id', link.dependantAccountId, endedOn);
    if (remaining.length > 0) return;
    await notify.enqueue(trx, {
      channel: 'inbox',
      recipient: link.dependantAccountId,
      template: 'representation_handover',
      params: { fullName: dependant.fullName, turnedOn: endedOn },
      key: `representation-handover:${link.dependantAccountId}:${endedOn}`,
    });
  }

  /** Ends one link (conditional update), voids its pending requests, audits and notifies. */
  async function endOne(
    trx: Trx,
    link: Link,
    reason: EndReason,
    endedOn: IsoDate,
    actor: Actor,
  ): Promise<Link | undefined> {
    const ended = await endLink(trx, link, clock.now(), reason);
    if (!ended) return undefined;
    const voided = await expirePendingOfLink(trx, link.id);
    await audit.append(trx, {
      actor,
      action: 'representation.link.end',
      subject: ACCOUNT(link.dependantAccountId),
      outcome: 'success',
      detail: {
        linkId: link.id,
        representativeAccountId: link.representativeAccountId,
        basis: link.basis,
        reason,
        endedOn,
        ...(voided > 0 ? { voidedConfirmations: voided } : {}),
      },
    });
    await noticesOfEnd(trx, ended, reason, endedOn);
    return ended;
  }

  /** Settles an unanswerable request as expired, audited; false when another change got there first. */
  async function voidRequest(
    trx: Trx,
    current: Confirmation,
    why: 'expired' | 'representation_ended' | 'withdrawn_by_dependant',
  ) {
    const settled = await settle(trx, current, 'expired', clock.now());
    if (!settled) return false;
    await audit.append(trx, {
      actor: SYSTEM,
      action: 'representation.confirmation.expire',
      subject: ACCOUNT(current.dependantAccountId),
      outcome: 'success',
      detail: { confirmationId: current.id, linkId: current.linkId, why },
    });
    return true;
  }

  function seen(c: Confirmation): Confirmation {
    return { ...c, status: effectiveStatus(c, clock.now()) };
  }

  return {
    basisFor,

    async link(executor, input) {
      if (!isUuid(input.representativeAccountId)) throw invalid('not an account id', 'representativeAccountId');
      if (!isUuid(input.dependantAccountId)) throw invalid('not an account id', 'dependantAccountId');
      if (input.representativeAccountId === input.dependantAccountId) {
        throw notEstablished('same_person');
      }
      const on = input.on ?? today();
      checkDate(on, 'on');
      const established = await establish(input, on);
      return inTransaction(executor, async (trx) => {
        const link = await insertLink(trx, {
          id: randomUUID(),
          representative_account_id: input.representativeAccountId,
          dependant_account_id: input.dependantAccountId,
          basis: established.basis,
          evidence: established.evidence,
          valid_from: established.validFrom,
          valid_until: established.validUntil,
          created_at: clock.now(),
        });
        // The partial unique index: one live link per pair.
        if (!link) throw representationProblem('REPRESENTATION_EXISTS');
        await audit.append(trx, {
          actor: input.actor,
          action: 'representation.link.create',
          subject: ACCOUNT(link.dependantAccountId),
          outcome: 'success',
          detail: {
            linkId: link.id,
            representativeAccountId: link.representativeAccountId,
            basis: link.basis,
            validFrom: link.validFrom,
            validUntil: link.validUntil,
          },
        });
        return link;
      });
    },

    async revoke(executor, linkId, options) {
      return inTransaction(executor, async (trx) => {
        const current = await linkById(trx, linkId);
        if (!current) throw platformProblem('NOT_FOUND', { what: 'representation' });
        if (current.version !== options.expectedVersion || current.endedAt !== null) throw platformProblem('CONFLICT');
        const ended = await endOne(trx, current, 'revoked', today(), options.actor);
        if (!ended) throw platformProblem('CONFLICT');
        return ended;
      });
    },

    representativesOf(dependantAccountId) {
      return linksValidOn(db, 'dependant_account_id', dependantAccountId, today());
    },

    dependantsOf(representativeAccountId) {
      return linksValidOn(db, 'representative_account_id', representativeAccountId, today());
    },

    async requestConfirmation(executor, input) {
      if (!(CONFIRMATION_ACTIONS as readonly string[]).includes(input.action)) {
        throw invalid(`unknown action ${String(input.action)}`, 'action');
      }
      const detail = checkDetail(input.detail);
      const now = clock.now();
      return inTransaction(executor, async (trx) => {
        // Decree 69 (seed 002): a dependant's account acts only with its representative's confirmation.
        const links = await linksValidOn(trx, 'dependant_account_id', input.dependantAccountId, vnDate(now));
        const link = input.representativeAccountId
          ? links.find((l) => l.representativeAccountId === input.representativeAccountId)
          : links[0];
        if (!link) throw representationProblem('REPRESENTATION_NONE');
        const dependant = await identity.get(input.dependantAccountId);
        if (!dependant) throw platformProblem('NOT_FOUND', { what: 'account' }, { field: 'dependantAccountId' });
        const confirmation = await insertConfirmation(trx, {
          id: randomUUID(),
          link_id: link.id,
          dependant_account_id: link.dependantAccountId,
          representative_account_id: link.representativeAccountId,
          action: input.action,
          detail,
          requested_at: now,
          expires_at: new Date(now.getTime() + ttl[input.action]),
        });
        await notify.enqueue(trx, {
          channel: 'inbox',
          recipient: link.representativeAccountId,
          template: 'confirmation_requested',
          params: {
            dependantName: dependant.fullName,
            action: confirmation.action,
            expiresAt: confirmation.expiresAt.toISOString(),
          },
          key: `confirmation-requested:${confirmation.id}`,
        });
        await audit.append(trx, {
          actor: input.actor ?? ACCOUNT(link.dependantAccountId),
          action: 'representation.confirmation.request',
          subject: ACCOUNT(link.dependantAccountId),
          outcome: 'success',
          detail: {
            confirmationId: confirmation.id,
            linkId: link.id,
            representativeAccountId: link.representativeAccountId,
            action: confirmation.action,
            expiresAt: confirmation.expiresAt.toISOString(),
          },
        });
        return confirmation;
      });
    },

    async decide(confirmationId, representativeAccountId, decision, expectedVersion) {
      if (decision !== 'confirm' && decision !== 'refuse') throw invalid('decision is confirm or refuse', 'decision');
      const outcome = await db.transaction().execute(async (trx) => {
        const current = await confirmationById(trx, confirmationId);
        // Someone else's request answers exactly like a missing one: nothing leaks.
        if (!current || current.representativeAccountId !== representativeAccountId) {
          if (current) {
            await audit.append(trx, {
              actor: ACCOUNT(isUuid(representativeAccountId) ? representativeAccountId : 'invalid'),
              action: 'representation.confirmation.decide',
              subject: ACCOUNT(current.dependantAccountId),
              outcome: 'denied',
              detail: { confirmationId, reason: 'not_addressee' },
            });
          }
          return { problem: platformProblem('NOT_FOUND', { what: 'confirmation' }) };
        }
        if (current.version !== expectedVersion) throw platformProblem('CONFLICT');
        if (current.status !== 'pending') {
          throw representationProblem('CONFIRMATION_ALREADY_DECIDED', { status: current.status });
        }
        const now = clock.now();
        // The expiry (and a link that ended meanwhile) is stored before answering, so the request
        // reads as void from now on; the problem is thrown after the commit.
        if (effectiveStatus(current, now) === 'expired') {
          if (!(await voidRequest(trx, current, 'expired'))) throw platformProblem('CONFLICT');
          return {
            problem: representationProblem('CONFIRMATION_EXPIRED', { expiresAt: current.expiresAt.toISOString() }),
          };
        }
        const link = await linkById(trx, current.linkId);
        if (!link || !validOn(link, vnDate(now))) {
          if (!(await voidRequest(trx, current, 'representation_ended'))) throw platformProblem('CONFLICT');
          return { problem: representationProblem('REPRESENTATION_ENDED') };
        }
        const settled = await settle(trx, current, decision === 'confirm' ? 'confirmed' : 'refused', now);
        // Another answer committed between our read and our update.
        if (!settled) throw platformProblem('CONFLICT');
        await audit.append(trx, {
          actor: ACCOUNT(representativeAccountId),
          action: `representation.confirmation.${decision}`,
          subject: ACCOUNT(current.dependantAccountId),
          outcome: 'success',
          detail: { confirmationId, linkId: current.linkId, action: current.action, version: settled.version },
        });
        return { confirmation: settled };
      });
      if ('problem' in outcome) throw outcome.problem;
      return outcome.confirmation;
    },

    async withdraw(confirmationId, dependantAccountId) {
      if (!isUuid(confirmationId)) return false;
      return db.transaction().execute(async (trx) => {
        const current = await confirmationById(trx, confirmationId);
        if (!current || current.dependantAccountId !== dependantAccountId || current.status !== 'pending') return false;
        return voidRequest(trx, current, 'withdrawn_by_dependant');
      });
    },

    async confirmationOf(confirmationId) {
      const found = await confirmationById(db, confirmationId);
      return found ? seen(found) : undefined;
    },

    pendingFor(representativeAccountId) {
      return pendingFor(db, representativeAccountId, clock.now());
    },

    async endAtFourteen(limit = 1000) {
      let ended = 0;
      // One link per transaction: each holds its link row, one audit chain and its notices'
      // keys only, so processes running the job side by side never wait on each other in a cycle.
      for (let claimed = 0; claimed < limit; claimed++) {
        const day = today();
        const result = await db.transaction().execute(async (trx) => {
          const [link] = await claimDueLinks(trx, day, 1);
          if (!link) return 'none' as const;
          // The legal end is valid_until (the birthday), even when the job runs later.
          const endedOn = link.validUntil ?? day;
          return (await endOne(trx, link, endReasonOf(link.basis), endedOn, SYSTEM))
            ? ('ended' as const)
            : ('lost' as const);
        });
        if (result === 'none') break;
        if (result === 'ended') ended++;
      }
      return ended;
    },

    async expireConfirmations(limit = 1000) {
      return db.transaction().execute(async (trx) => {
        const expired = await expireDue(trx, clock.now(), limit);
        for (const c of expired) {
          await audit.append(trx, {
            actor: SYSTEM,
            action: 'representation.confirmation.expire',
            subject: ACCOUNT(c.dependantAccountId),
            outcome: 'success',
            detail: { confirmationId: c.id, linkId: c.linkId, why: 'expired' },
          });
        }
        return expired.length;
      });
    },
  };
}
