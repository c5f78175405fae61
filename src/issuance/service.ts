import type { AuditService } from '../audit/service.ts';
import type { BackofficeService } from '../backoffice/service.ts';
import type { CalendarService } from '../calendar/service.ts';
import { vnDate } from '../calendar/working-days.ts';
import type { IdentityService } from '../identity/service.ts';
import type { NotifyService } from '../notify/service.ts';
import type { Platform } from '../platform/context.ts';
import { platformProblem } from '../platform/errors.ts';
import type { IsoDate } from '../registries/dates.ts';
import { cardStateOn, type Citizen, type Foreigner } from '../registries/model.ts';
import type { NationalRegistries } from '../registries/ports.ts';
import {
  citizenEligibility,
  foreignerEligibility,
  hasValidCard,
  mismatchedFields,
  organisationEligibility,
  phoneOwned,
  type Declared,
} from './checks.ts';
import { createEngine, type Actor, type Intake, type RepresentationLinker, type Submitted } from './engine.ts';
import {
  CONSENT_WINDOW_DAYS,
  FLOWS,
  issuanceProblem,
  NEAR_DEADLINE_HOURS,
  REJECTION_REASONS,
  type Application,
  type BiometricCheck,
  type Checks,
  type Reason,
  type RejectionCode,
} from './model.ts';
import type { BiometricVerifier, Capture } from './ports.ts';
import {
  applicationsBy,
  consentsLapsed,
  consentsOf,
  decideConsent,
  dueForFlag,
  eventsOf,
  findByNumber,
  insertConsents,
  onTimeByUnit,
  pendingConsentsFor,
  queueOf,
} from './repository.ts';
import { FieldErrors, requestHash } from './validation.ts';

export type { Application, Submitted };

/** What the representation context answers about a would-be representative (DOMAIN.md §5). */
export interface RepresentationBasis {
  basisFor(
    representative: { kind: 'citizen' | 'foreigner'; registryId: string },
    dependant: { kind: 'citizen' | 'foreigner'; registryId: string },
    on: IsoDate,
  ): Promise<
    | { basis: string; validFrom: string; validUntil: string | null; evidence: Record<string, unknown> }
    | { refused: string }
  >;
}

export interface IssuanceDeps {
  registries: NationalRegistries;
  identity: IdentityService;
  backoffice: BackofficeService;
  calendar: CalendarService;
  notify: NotifyService;
  audit: AuditService;
  verifier: BiometricVerifier;
  representation?: RepresentationLinker & RepresentationBasis;
}

/** Every submission may carry an idempotency key (the HTTP `Idempotency-Key` header). */
export interface SubmitOptions {
  idempotencyKey?: string;
}

export interface CitizenLevel1Input {
  pin: string;
  fullName: string;
  dateOfBirth: string;
  sex?: 'male' | 'female';
  phone: string;
  email?: string | null;
  face: Buffer;
  locale?: 'vi' | 'en';
}

export interface DependantInput {
  pin: string;
  fullName: string;
  dateOfBirth: string;
  sex?: 'male' | 'female';
  email?: string | null;
  face?: Buffer | null;
}

export interface CounterCitizenInput {
  pin: string;
  fullName?: string;
  dateOfBirth?: string;
  phone?: string | null;
  email?: string | null;
  documents?: string[];
  face: Buffer;
  fingerprints: Buffer[];
  /** A dependant comes with their representative, whose account and phone are used. */
  representativePin?: string | null;
  note?: string;
}

export interface ForeignerLevel1Input {
  passportNumber: string;
  passportCountry: string;
  fullName: string;
  dateOfBirth: string;
  sex?: 'male' | 'female';
  phone?: string | null;
  email?: string | null;
  face: Buffer;
  locale?: 'vi' | 'en';
}

export interface CounterForeignerInput {
  passportNumber: string;
  passportCountry: string;
  phone?: string | null;
  email?: string | null;
  documents?: string[];
  face: Buffer;
  fingerprints: Buffer[];
  /** Foreign dependants aged 6–13 come with their representative (Art 12.2). */
  representative?: { passportNumber: string; passportCountry: string } | null;
  locale?: 'vi' | 'en';
  note?: string;
}

export interface OrganisationAppInput {
  enterpriseCode: string;
  email?: string | null;
}

export interface CounterOrganisationInput {
  enterpriseCode: string;
  organisationName: string;
  /** The legal representative, head or authorised person filing the form (TK02). */
  filerPin: string;
  email?: string | null;
  documents?: string[];
  note?: string;
}

export interface Decision {
  event: 'approve' | 'reject' | 'refer_manual' | 'forward';
  expectedVersion: number;
  reasons?: Reason[];
  note?: string;
}

export interface QueueEntry {
  application: Application;
  dueOn: IsoDate | null;
  /** Working days left before the deadline's last day (0 = due today; negative = overdue). */
  workingDaysLeft: number | null;
  overdue: boolean;
}

const SEXES = ['male', 'female'] as const;
const LOCALES = ['vi', 'en'] as const;

const emptyChecks = (): Checks => ({
  registry: 'skipped',
  mismatchedFields: [],
  phone: 'skipped',
  biometrics: [],
  notes: [],
});

/** Biometric results as refusal reasons, for a flow decided by the system (level 1 in the app). */
function biometricReasons(results: BiometricCheck[], options: { referenceRequired: boolean }): Reason[] {
  const reasons: Reason[] = [];
  for (const r of results) {
    const mismatch = r.kind === 'face' ? 'face_mismatch' : 'fingerprint_mismatch';
    if (r.decision === 'no_match') reasons.push({ code: mismatch, field: r.kind });
    if (r.decision === 'no_reference' && options.referenceRequired) reasons.push({ code: mismatch, field: r.kind });
  }
  return reasons;
}

/** Unreadable captures are a bad request (retake), not a refusal: nothing is stored. */
function refuseUnreadable(results: BiometricCheck[]): void {
  const bad = results.filter((r) => r.decision === 'poor_quality');
  if (bad.length === 0) return;
  const errors = new FieldErrors();
  for (const r of bad) {
    // The capture-check codes (e.g. face_too_small, too_few_minutiae) name the retake reason.
    errors.add(r.kind === 'face' ? 'face' : 'fingerprints', r.quality.join(', ') || 'poor quality', {
      rule: 'capture_quality',
      limit: r.quality.join(','),
    });
  }
  errors.throwIfAny();
}

export function createIssuanceService(platform: Platform, deps: IssuanceDeps) {
  const { db, clock } = platform;
  const { registries, identity, backoffice, verifier } = deps;
  const engine = createEngine(platform, deps);
  const today = () => vnDate(clock.now());

  engine.onConsents(async (trx, app, rows) => {
    await insertConsents(
      trx,
      rows.map((r) => ({
        application_id: app.id,
        registry_id: r.registryId,
        full_name: r.fullName,
        account_id: r.accountId,
        status: 'pending' as const,
        decided_at: null,
      })),
    );
    // Art 13.1: every other legal representative is told and asked to consent in the app.
    for (const r of rows) {
      const params = {
        applicationNo: app.number,
        organisationName: app.subjectName,
        requestedBy: app.dossier.representative?.fullName ?? '',
        dueOn: vnDate(app.consentDueAt ?? clock.now()),
      };
      const key = `issuance:${app.id}:consent_requested:${r.registryId}`;
      if (r.accountId) {
        await deps.notify.enqueue(trx, {
          channel: 'inbox',
          recipient: r.accountId,
          template: 'consent_requested',
          params,
          key: `${key}:inbox`,
        });
      }
      if (r.phone) {
        await deps.notify.enqueue(trx, {
          channel: 'sms',
          recipient: r.phone,
          template: 'consent_requested',
          params,
          key: `${key}:sms`,
        });
      }
    }
  });

  function idempotency(scope: string, options: SubmitOptions, input: unknown) {
    const key = options.idempotencyKey?.trim();
    if (!key) return null;
    if (key.length > 200) throw platformProblem('VALIDATION_FAILED', { reason: 'Idempotency-Key is too long' });
    return { scope, key, hash: requestHash(input) };
  }

  /** The phone checks of Art 10.1: registered to `owner` and not bound to another account. */
  async function phoneCheck(
    phone: string,
    owner: { kind: 'citizen' | 'foreigner'; registryId: string },
    ownAccountId: string | null,
  ): Promise<{ state: Checks['phone']; reasons: Reason[] }> {
    const subscription = await registries.subscribers.ownerOf(phone);
    if (!phoneOwned(subscription, owner))
      return { state: 'not_owned', reasons: [{ code: 'phone_not_owned', field: 'phone' }] };
    const holder = await identity.findByPhone(phone);
    if (holder && holder.id !== ownAccountId) {
      return { state: 'bound', reasons: [{ code: 'phone_already_bound', field: 'phone' }] };
    }
    return { state: 'owned', reasons: [] };
  }

  async function activeLevel2(accountId: string) {
    const account = await identity.get(accountId);
    if (!account || account.status !== 'active' || account.level !== 2) return null;
    return account;
  }

  async function c06(): Promise<string> {
    const unit = await backoffice.unitByCode('C06');
    if (!unit) throw platformProblem('SERVICE_UNAVAILABLE', { reason: 'unit C06 is not set up' });
    return unit.id;
  }

  async function receivingUnit(officerId: string, unitId: string, kinds: string[]) {
    const unit = await backoffice.unit(unitId);
    if (!unit) throw platformProblem('NOT_FOUND', { what: 'unit' });
    if (!(await backoffice.mayAct(officerId, 'RECEIVER', unitId))) {
      throw issuanceProblem('OFFICER_ROLE_REQUIRED', { role: 'RECEIVER' });
    }
    if (!kinds.includes(unit.kind)) {
      throw issuanceProblem('APPLICATION_INVALID', { reason: `a ${unit.kind} unit does not receive this procedure` });
    }
    return unit;
  }

  /** The registry has no such subject: the application is stored refused, naming the field at fault. */
  function refuseUnknown(
    base: Omit<Intake, 'subject' | 'dossier' | 'checks' | 'reasons'>,
    subject: { kind: 'citizen' | 'foreigner'; name: string },
    dossier: Intake['dossier'],
    field: string,
    actor: Actor,
  ): Promise<Submitted> {
    return engine.submit(
      {
        ...base,
        subject: { kind: subject.kind, registryId: null, name: subject.name },
        dossier,
        checks: { ...emptyChecks(), registry: 'not_found' },
        reasons: [{ code: 'registry_not_found', field }],
      },
      actor,
    );
  }

  /**
   * Level 1 in the app, filed by the subject (Arts 10.1(a), 12.1): the phone in their own name and
   * bound to no account, no live account yet, the face against the portrait on record.
   */
  async function selfFiledChecks(
    subject: { kind: 'citizen' | 'foreigner'; registryId: string },
    phone: string,
    face: Buffer,
    checks: Checks,
    reasons: Reason[],
  ): Promise<void> {
    if (phone) {
      const result = await phoneCheck(phone, subject, null);
      checks.phone = result.state;
      reasons.push(...result.reasons);
    }
    if (await identity.findBySubject(subject.kind, subject.registryId)) reasons.push({ code: 'account_exists' });
    checks.biometrics = await verifier.verify(subject, [{ kind: 'face', image: face }]);
    refuseUnreadable(checks.biometrics);
    reasons.push(...biometricReasons(checks.biometrics, { referenceRequired: true }));
  }

  function registryChecks(citizen: { fullName: string; dateOfBirth: string; sex: string }, declared: Declared): Checks {
    const fields = mismatchedFields(declared, citizen);
    return { ...emptyChecks(), registry: fields.length > 0 ? 'mismatch' : 'match', mismatchedFields: fields };
  }

  function mismatchReasons(checks: Checks): Reason[] {
    return checks.mismatchedFields.map((field) => ({ code: 'declared_data_mismatch' as const, field }));
  }

  // --- citizens ----------------------------------------------------------------------------------

  /** Citizen, level 1, in the app (Art 10.1(a)): decided by the system at once. */
  async function applyCitizenLevel1(input: CitizenLevel1Input, options: SubmitOptions = {}): Promise<Submitted> {
    const errors = new FieldErrors();
    const pin = errors.pin('pin', input.pin);
    const fullName = errors.text('fullName', input.fullName);
    const dateOfBirth = errors.date('dateOfBirth', input.dateOfBirth);
    const sex = errors.choice('sex', input.sex, SEXES);
    const phone = errors.phone('phone', input.phone);
    const email = errors.email('email', input.email);
    const face = errors.image('face', input.face);
    const locale = errors.choice('locale', input.locale, LOCALES);
    errors.throwIfAny();
    const declared: Declared = { fullName, dateOfBirth, ...(sex ? { sex } : {}) };
    const dossier = { pin, fullName, dateOfBirth, phone, email, locale: locale ?? 'vi' };
    const base = {
      procedure: 'citizen_l1_app' as const,
      outcome: 'approved' as const,
      unitId: await c06(),
      submittedBy: null,
      receivedBy: null,
      representativeAccountId: null,
      deadlineFacts: {},
      idempotency: idempotency('public', options, input),
    };
    const citizen = await registries.identity.findByPin(pin);
    if (!citizen) {
      return refuseUnknown(base, { kind: 'citizen', name: fullName }, dossier, 'pin', { kind: 'public', id: 'app' });
    }
    const checks = registryChecks(citizen, declared);
    const reasons = [
      ...citizenEligibility(citizen, { level: 1, filing: 'self', on: today() }),
      ...mismatchReasons(checks),
    ];
    await selfFiledChecks({ kind: 'citizen', registryId: citizen.registryId }, phone, face!, checks, reasons);
    return engine.submit(
      {
        ...base,
        subject: { kind: 'citizen', registryId: citizen.registryId, name: citizen.fullName },
        dossier: { ...dossier, pin: citizen.pin },
        checks,
        reasons,
      },
      { kind: 'public', id: 'app' },
    );
  }

  /**
   * A representative with an active level-2 account files level 1 for a child under 14, a ward or
   * a represented person (Art 10.1(b)); the representative's phone is used (DOMAIN.md §4).
   */
  async function applyForDependant(
    representativeAccountId: string,
    input: DependantInput,
    options: SubmitOptions = {},
  ): Promise<Submitted> {
    const errors = new FieldErrors();
    const pin = errors.pin('pin', input.pin);
    const fullName = errors.text('fullName', input.fullName);
    const dateOfBirth = errors.date('dateOfBirth', input.dateOfBirth);
    const sex = errors.choice('sex', input.sex, SEXES);
    const email = errors.email('email', input.email);
    const face = errors.image('face', input.face, false);
    errors.throwIfAny();
    const actor: Actor = { kind: 'subject', id: representativeAccountId };
    const representative = await identity.get(representativeAccountId);
    if (!representative) throw platformProblem('NOT_FOUND', { what: 'account' });
    const dossier = {
      pin,
      fullName,
      dateOfBirth,
      phone: representative.phone ? (normaliseE164(representative.phone) ?? null) : null,
      email,
    };
    const base = {
      procedure: 'citizen_l1_representative' as const,
      outcome: 'approved' as const,
      unitId: await c06(),
      submittedBy: representativeAccountId,
      receivedBy: null,
      representativeAccountId,
      deadlineFacts: {},
      idempotency: idempotency(`account:${representativeAccountId}`, options, input),
    };
    const citizen = await registries.identity.findByPin(pin);
    if (!citizen) {
      return refuseUnknown(base, { kind: 'citizen', name: fullName }, dossier, 'pin', actor);
    }
    const checks = registryChecks(citizen, { fullName, dateOfBirth, ...(sex ? { sex } : {}) });
    const reasons = [
      ...citizenEligibility(citizen, { level: 1, filing: 'representative', on: today() }),
      ...mismatchReasons(checks),
    ];
    if (!(await activeLevel2(representativeAccountId)) || representative.subjectKind !== 'citizen') {
      reasons.push({ code: 'representative_level_too_low' });
    }
    const basis = await basisOf(representative.registryId, citizen.registryId);
    if ('refused' in basis) reasons.push(basis.refused);
    if (await identity.findBySubject('citizen', citizen.registryId)) reasons.push({ code: 'account_exists' });
    if (face) {
      checks.biometrics = await verifier.verify({ kind: 'citizen', registryId: citizen.registryId }, [
        { kind: 'face', image: face },
      ]);
      refuseUnreadable(checks.biometrics);
      // A child under 6 has no portrait on record (no biometrics under 6): the representative vouches.
      reasons.push(...biometricReasons(checks.biometrics, { referenceRequired: false }));
    }
    return engine.submit(
      {
        ...base,
        subject: { kind: 'citizen', registryId: citizen.registryId, name: citizen.fullName },
        dossier: {
          ...dossier,
          pin: citizen.pin,
          representative: {
            accountId: representativeAccountId,
            fullName: representative.fullName,
            ...('refused' in basis ? { basis: 'none' } : basis),
          },
        },
        checks,
        reasons,
      },
      actor,
    );
  }

  async function basisOf(
    representativeRegistryId: string,
    dependantRegistryId: string,
    kind: 'citizen' | 'foreigner' = 'citizen',
  ): Promise<
    | { basis: string; validFrom: string; validUntil: string | null; evidence: Record<string, unknown> }
    | { refused: Reason }
  > {
    if (!deps.representation) return { refused: { code: 'not_a_representative', note: 'representation unavailable' } };
    const found = await deps.representation.basisFor(
      { kind, registryId: representativeRegistryId },
      { kind, registryId: dependantRegistryId },
      today(),
    );
    if ('refused' in found) {
      const code = found.refused === 'dependant_too_old' ? 'dependant_too_old' : 'not_a_representative';
      return { refused: { code, note: found.refused } };
    }
    return found;
  }

  /**
   * TK01 at a commune police counter (Art 11): the receiving officer records the dossier and the
   * biometric capture. The procedure follows from the registry: a live level-1 account is upgraded
   * (same account), no valid card means the card application comes first (Art 11.2).
   */
  async function receiveCitizen(
    officerId: string,
    unitId: string,
    input: CounterCitizenInput,
    options: SubmitOptions = {},
  ): Promise<Submitted> {
    const errors = new FieldErrors();
    const pin = errors.pin('pin', input.pin);
    const phoneInput = errors.phone('phone', input.phone, false);
    const email = errors.email('email', input.email);
    const face = errors.image('face', input.face);
    if (!Array.isArray(input.fingerprints) || input.fingerprints.length === 0)
      errors.add('fingerprints', 'required', { rule: 'required' });
    else input.fingerprints.forEach((f, i) => errors.image(`fingerprints.${i}`, f));
    const representativePin = input.representativePin ? errors.pin('representativePin', input.representativePin) : null;
    errors.throwIfAny();
    const unit = await receivingUnit(officerId, unitId, ['commune', 'pc06', 'c06']);
    const actor: Actor = { kind: 'officer', id: officerId };
    const citizen = await registries.identity.findByPin(pin);
    if (!citizen)
      throw issuanceProblem('APPLICATION_INVALID', { reason: 'no citizen with this PIN' }, { field: 'pin' });
    const existing = await identity.findBySubject('citizen', citizen.registryId);
    const upgrade = existing?.level === 1 && existing.status === 'active';
    // Fix: only a citizen without a card or with an expired one applies with the card application
    // (DOMAIN.md §5); a held or revoked card was also sent there, to wait for a card that cannot be
    // issued while it is held. It is an id_card_invalid refusal, as in the app.
    const cardState = citizen.idCard ? cardStateOn(citizen.idCard, today()) : null;
    const withCard = !upgrade && (cardState === null || cardState === 'expired');
    const procedure = upgrade ? 'citizen_upgrade' : withCard ? 'citizen_l2_with_card' : 'citizen_l2_counter';
    const checks = registryChecks(citizen, {
      ...(input.fullName ? { fullName: input.fullName } : {}),
      ...(input.dateOfBirth ? { dateOfBirth: input.dateOfBirth } : {}),
    });
    const reasons: Reason[] = [
      ...citizenEligibility(citizen, {
        level: 2,
        filing: representativePin ? 'representative' : 'self',
        on: today(),
        withCard,
      }),
      ...mismatchReasons(checks),
    ];
    if (existing && !upgrade) reasons.push({ code: 'account_exists' });
    let representative: Awaited<ReturnType<typeof identity.get>> | null = null;
    let basis: Awaited<ReturnType<typeof basisOf>> | null = null;
    if (representativePin) {
      const repCitizen = await registries.identity.findByPin(representativePin);
      representative = repCitizen ? ((await identity.findBySubject('citizen', repCitizen.registryId)) ?? null) : null;
      if (!repCitizen || !representative || representative.status !== 'active') {
        reasons.push({ code: 'representative_level_too_low', field: 'representativePin' });
      } else {
        basis = await basisOf(repCitizen.registryId, citizen.registryId);
        if ('refused' in basis) reasons.push(basis.refused);
      }
    }
    // The phone: the applicant's own, or the representative's (bound to the representative's account).
    const phone = representative?.phone ? normaliseE164(representative.phone) : phoneInput || null;
    if (!representativePin) {
      if (!phone) reasons.push({ code: 'phone_not_owned', field: 'phone' });
      else {
        const result = await phoneCheck(
          phone,
          { kind: 'citizen', registryId: citizen.registryId },
          existing?.id ?? null,
        );
        checks.phone = result.state;
        reasons.push(...result.reasons);
      }
    }
    const captures: Capture[] = [
      { kind: 'face', image: face! },
      ...input.fingerprints.map((image, i) => ({ kind: 'fingerprint' as const, image, finger: i + 1 })),
    ];
    checks.biometrics = await verifier.verify({ kind: 'citizen', registryId: citizen.registryId }, captures);
    refuseUnreadable(checks.biometrics);
    const mismatch = checks.biometrics.some(
      (b) => b.decision === 'no_match' || (b.decision === 'no_reference' && !withCard),
    );
    const outcome = withCard ? 'awaiting_card' : mismatch ? 'manual_review' : 'received';
    return engine.submit(
      {
        procedure,
        outcome,
        subject: { kind: 'citizen', registryId: citizen.registryId, name: citizen.fullName },
        dossier: {
          pin: citizen.pin,
          fullName: citizen.fullName,
          dateOfBirth: citizen.dateOfBirth,
          phone,
          email,
          documents: input.documents ?? [],
          ...(input.note ? { note: input.note } : {}),
          ...(representative && basis && !('refused' in basis)
            ? { representative: { accountId: representative.id, fullName: representative.fullName, ...basis } }
            : {}),
        },
        checks,
        reasons,
        deadlineFacts: {},
        unitId: unit.id,
        submittedBy: null,
        receivedBy: officerId,
        representativeAccountId: representative?.id ?? null,
        accountId: upgrade ? existing!.id : null,
        idempotency: idempotency(`officer:${officerId}`, options, input),
      },
      actor,
    );
  }

  // --- foreigners --------------------------------------------------------------------------------

  async function findForeigner(errors: FieldErrors, number: unknown, country: unknown): Promise<Foreigner | null> {
    const passportNumber = errors.text('passportNumber', number, { max: 20 }).toUpperCase();
    const passportCountry = errors.text('passportCountry', country, { max: 3 }).toUpperCase();
    if (passportCountry && !/^[A-Z]{3}$/.test(passportCountry))
      errors.add('passportCountry', 'ISO 3166-1 alpha-3 code', { rule: 'format', limit: 'country' });
    if (passportNumber && !/^[A-Z0-9]{5,20}$/.test(passportNumber))
      errors.add('passportNumber', '5–20 letters or digits', { rule: 'format', limit: 'passport' });
    errors.throwIfAny();
    return registries.immigration.findByPassport(passportCountry, passportNumber);
  }

  /** Foreigner, level 1, in the app (Art 12.1): passport, phone or e-mail, declared data, face. */
  async function applyForeignerLevel1(input: ForeignerLevel1Input, options: SubmitOptions = {}): Promise<Submitted> {
    const errors = new FieldErrors();
    const fullName = errors.text('fullName', input.fullName);
    const dateOfBirth = errors.date('dateOfBirth', input.dateOfBirth);
    const sex = errors.choice('sex', input.sex, SEXES);
    const phone = errors.phone('phone', input.phone, false);
    const email = errors.email('email', input.email);
    if (!phone && !email) errors.add('phone', 'a phone number or an e-mail address is required', { rule: 'required' });
    const face = errors.image('face', input.face);
    const locale = errors.choice('locale', input.locale, LOCALES);
    const foreigner = await findForeigner(errors, input.passportNumber, input.passportCountry);
    const passport = { country: input.passportCountry.toUpperCase(), number: input.passportNumber.toUpperCase() };
    const dossier = { passport, fullName, dateOfBirth, phone: phone || null, email, locale: locale ?? 'en' };
    const base = {
      procedure: 'foreigner_l1_app' as const,
      outcome: 'approved' as const,
      unitId: await c06(),
      submittedBy: null,
      receivedBy: null,
      representativeAccountId: null,
      deadlineFacts: {},
      idempotency: idempotency('public', options, input),
    };
    const actor: Actor = { kind: 'public', id: 'app' };
    if (!foreigner) {
      return refuseUnknown(base, { kind: 'foreigner', name: fullName }, dossier, 'passportNumber', actor);
    }
    const checks = registryChecks(foreigner, { fullName, dateOfBirth, ...(sex ? { sex } : {}) });
    const reasons = [
      ...foreignerEligibility(foreigner, { level: 1, filing: 'self', on: today() }),
      ...mismatchReasons(checks),
    ];
    await selfFiledChecks({ kind: 'foreigner', registryId: foreigner.registryId }, phone, face!, checks, reasons);
    return engine.submit(
      {
        ...base,
        subject: { kind: 'foreigner', registryId: foreigner.registryId, name: foreigner.fullName },
        dossier: { ...dossier, passport: { country: foreigner.passport.country, number: foreigner.passport.number } },
        checks,
        reasons,
      },
      actor,
    );
  }

  /**
   * Foreigner, level 2, at an immigration office (Art 12.2): face and fingerprints against the
   * Immigration DB; the office forwards to C06, which decides within 3 working days when the
   * biometrics were on record, 7 when they are captured now (Art 12.3).
   */
  async function receiveForeigner(
    officerId: string,
    unitId: string,
    input: CounterForeignerInput,
    options: SubmitOptions = {},
  ): Promise<Submitted> {
    const errors = new FieldErrors();
    const phone = errors.phone('phone', input.phone, false);
    const email = errors.email('email', input.email);
    const face = errors.image('face', input.face);
    if (!Array.isArray(input.fingerprints) || input.fingerprints.length === 0)
      errors.add('fingerprints', 'required', { rule: 'required' });
    else input.fingerprints.forEach((f, i) => errors.image(`fingerprints.${i}`, f));
    const locale = errors.choice('locale', input.locale, LOCALES);
    const foreigner = await findForeigner(errors, input.passportNumber, input.passportCountry);
    const unit = await receivingUnit(officerId, unitId, ['immigration']);
    if (!foreigner) {
      throw issuanceProblem(
        'APPLICATION_INVALID',
        { reason: 'no foreigner with this passport' },
        { field: 'passportNumber' },
      );
    }
    const filing = input.representative ? 'representative' : 'self';
    const reasons: Reason[] = [...foreignerEligibility(foreigner, { level: 2, filing, on: today() })];
    const checks = emptyChecks();
    checks.registry = 'match';
    if (await identity.findBySubject('foreigner', foreigner.registryId)) reasons.push({ code: 'account_exists' });
    let representativeAccountId: string | null = null;
    let representativeDossier: NonNullable<Intake['dossier']['representative']> | undefined;
    let contact: string | null = phone || null;
    if (input.representative) {
      const rep = await registries.immigration.findByPassport(
        input.representative.passportCountry.toUpperCase(),
        input.representative.passportNumber.toUpperCase(),
      );
      const repAccount = rep ? await identity.findBySubject('foreigner', rep.registryId) : undefined;
      if (!rep || !repAccount || repAccount.status !== 'active') {
        reasons.push({ code: 'representative_level_too_low', field: 'representative' });
      } else {
        const basis = await basisOf(rep.registryId, foreigner.registryId, 'foreigner');
        if ('refused' in basis) reasons.push(basis.refused);
        else {
          representativeAccountId = repAccount.id;
          representativeDossier = { accountId: repAccount.id, fullName: repAccount.fullName, ...basis };
          contact = repAccount.phone ? normaliseE164(repAccount.phone) : null;
        }
      }
    } else if (phone) {
      const result = await phoneCheck(phone, { kind: 'foreigner', registryId: foreigner.registryId }, null);
      checks.phone = result.state;
      reasons.push(...result.reasons);
    }
    const onRecord = foreigner.biometricsOnRecord.face && foreigner.biometricsOnRecord.fingerprints;
    checks.biometrics = await verifier.verify({ kind: 'foreigner', registryId: foreigner.registryId }, [
      { kind: 'face', image: face! },
      ...input.fingerprints.map((image, i) => ({ kind: 'fingerprint' as const, image, finger: i + 1 })),
    ]);
    refuseUnreadable(checks.biometrics);
    checks.notes.push(onRecord ? 'biometrics_on_record' : 'biometrics_captured_now');
    const mismatch = checks.biometrics.some((b) => b.decision === 'no_match');
    return engine.submit(
      {
        procedure: 'foreigner_l2_counter',
        outcome: mismatch ? 'manual_review' : 'received',
        subject: { kind: 'foreigner', registryId: foreigner.registryId, name: foreigner.fullName },
        dossier: {
          passport: { country: foreigner.passport.country, number: foreigner.passport.number },
          fullName: foreigner.fullName,
          dateOfBirth: foreigner.dateOfBirth,
          phone: contact,
          email,
          documents: input.documents ?? [],
          locale: locale ?? 'en',
          ...(input.note ? { note: input.note } : {}),
          ...(representativeDossier ? { representative: representativeDossier } : {}),
        },
        checks,
        reasons,
        deadlineFacts: { biometricsOnRecord: onRecord },
        unitId: unit.id,
        submittedBy: null,
        receivedBy: officerId,
        representativeAccountId,
        idempotency: idempotency(`officer:${officerId}`, options, input),
      },
      { kind: 'officer', id: officerId },
    );
  }

  // --- organisations -----------------------------------------------------------------------------

  /**
   * Organisation in the app (Art 13.1): a legal representative with an active level-2 account
   * files, after every other legal representative consents in their own app. A sole representative
   * needs no one's consent.
   */
  async function applyOrganisation(
    filerAccountId: string,
    input: OrganisationAppInput,
    options: SubmitOptions = {},
  ): Promise<Submitted> {
    const errors = new FieldErrors();
    const code = errors.text('enterpriseCode', input.enterpriseCode, { max: 14 });
    if (code && !/^\d{10}(-\d{3})?$/.test(code)) errors.add('enterpriseCode', '10 digits (optionally -3 digits)');
    const email = errors.email('email', input.email);
    errors.throwIfAny();
    const filer = await activeLevel2(filerAccountId);
    const actor: Actor = { kind: 'subject', id: filerAccountId };
    const organisation = await registries.business.findByEnterpriseCode(code);
    const reasons: Reason[] = [];
    if (!filer || filer.subjectKind !== 'citizen') reasons.push({ code: 'representative_level_too_low' });
    if (!organisation) reasons.push({ code: 'registry_not_found', field: 'enterpriseCode' });
    else reasons.push(...organisationEligibility(organisation, filer ? { registryId: filer.registryId } : null));
    if (organisation && (await identity.findBySubject('organisation', organisation.registryId))) {
      reasons.push({ code: 'account_exists' });
    }
    const others = (organisation?.legalRepresentatives ?? []).filter((r) => r.person.registryId !== filer?.registryId);
    const consents = await Promise.all(
      others.map(async (r) => {
        const account = await identity.findBySubject('citizen', r.person.registryId);
        return {
          registryId: r.person.registryId,
          fullName: r.person.fullName,
          accountId: account?.status === 'active' ? account.id : null,
          phone: account?.status === 'active' && account.phone ? normaliseE164(account.phone) : null,
        };
      }),
    );
    const now = clock.now();
    const consentDueAt = others.length > 0 ? await deps.calendar.addCalendarDays(now, CONSENT_WINDOW_DAYS) : null;
    return engine.submit(
      {
        procedure: 'organisation_app',
        outcome: others.length > 0 ? 'awaiting_consent' : 'approved',
        subject: {
          kind: 'organisation',
          registryId: organisation?.registryId ?? null,
          name: organisation?.name ?? code,
        },
        dossier: {
          enterpriseCode: code,
          organisationName: organisation?.name ?? code,
          phone: filer?.phone ? normaliseE164(filer.phone) : null,
          email,
          ...(filer
            ? {
                representative: {
                  accountId: filer.id,
                  fullName: filer.fullName,
                  basis: 'legal_representative',
                  validFrom: today(),
                  validUntil: null,
                  evidence: { enterpriseCode: code },
                },
              }
            : {}),
          coRepresentatives: consents.map((c) => ({ registryId: c.registryId, fullName: c.fullName })),
        },
        checks: { ...emptyChecks(), registry: organisation ? 'match' : 'not_found', notes: [] },
        reasons,
        deadlineFacts: { organisationFound: true },
        unitId: await c06(),
        submittedBy: filerAccountId,
        receivedBy: null,
        representativeAccountId: filer?.id ?? null,
        consentDueAt,
        consents: reasons.length === 0 ? consents : [],
        idempotency: idempotency(`account:${filerAccountId}`, options, input),
      },
      actor,
    );
  }

  /**
   * TK02 at a counter (Art 13.2): checked against the Business Registration DB; an organisation in
   * no registry is verified by hand within 15 calendar days (Art 13.3).
   */
  async function receiveOrganisation(
    officerId: string,
    unitId: string,
    input: CounterOrganisationInput,
    options: SubmitOptions = {},
  ): Promise<Submitted> {
    const errors = new FieldErrors();
    const code = errors.text('enterpriseCode', input.enterpriseCode, { max: 14 });
    if (code && !/^\d{10}(-\d{3})?$/.test(code)) errors.add('enterpriseCode', '10 digits (optionally -3 digits)');
    const name = errors.text('organisationName', input.organisationName, { max: 300 });
    const filerPin = errors.pin('filerPin', input.filerPin);
    const email = errors.email('email', input.email);
    errors.throwIfAny();
    const unit = await receivingUnit(officerId, unitId, ['commune', 'pc06', 'c06']);
    const organisation = await registries.business.findByEnterpriseCode(code);
    const filerCitizen = await registries.identity.findByPin(filerPin);
    const filer = filerCitizen ? await identity.findBySubject('citizen', filerCitizen.registryId) : undefined;
    const reasons: Reason[] = [];
    if (!filerCitizen) reasons.push({ code: 'registry_not_found', field: 'filerPin' });
    if (organisation) reasons.push(...organisationEligibility(organisation, filerCitizen ? filerCitizen : null));
    const registryId = organisation?.registryId ?? `manual:${code}`;
    if (await identity.findBySubject('organisation', registryId)) reasons.push({ code: 'account_exists' });
    return engine.submit(
      {
        procedure: 'organisation_counter',
        outcome: organisation ? 'received' : 'manual_review',
        subject: { kind: 'organisation', registryId, name: organisation?.name ?? name },
        dossier: {
          enterpriseCode: code,
          organisationName: organisation?.name ?? name,
          phone: filer?.phone ? normaliseE164(filer.phone) : null,
          email,
          documents: input.documents ?? [],
          ...(input.note ? { note: input.note } : {}),
          ...(filer && filer.status === 'active'
            ? {
                representative: {
                  accountId: filer.id,
                  fullName: filer.fullName,
                  basis: organisation ? 'legal_representative' : 'authorised',
                  validFrom: today(),
                  validUntil: null,
                  evidence: { enterpriseCode: code, form: 'TK02' },
                },
              }
            : {}),
        },
        checks: { ...emptyChecks(), registry: organisation ? 'match' : 'not_found' },
        reasons,
        deadlineFacts: { organisationFound: organisation !== null },
        unitId: unit.id,
        submittedBy: null,
        receivedBy: officerId,
        representativeAccountId: filer?.status === 'active' ? filer.id : null,
        idempotency: idempotency(`officer:${officerId}`, options, input),
      },
      { kind: 'officer', id: officerId },
    );
  }

  /** A co-representative's answer in their app (Art 13.1). A refusal ends the request. */
  async function answerConsent(accountId: string, applicationId: string, decision: 'consent' | 'refuse') {
    const account = await identity.get(accountId);
    if (!account || account.status !== 'active') throw platformProblem('FORBIDDEN');
    const app = await engine.get(applicationId);
    const row = app ? (await consentsOf(db, app.id)).find((c) => c.registry_id === account.registryId) : undefined;
    if (!app || !row || row.status !== 'pending' || app.state !== 'awaiting_consent') {
      throw issuanceProblem('CONSENT_NOT_EXPECTED');
    }
    // Fix: the window is closed once consentDueAt has passed, even before the lapse worker runs;
    // a late consent completed (and approved) the request, a late answer to a lapsed one gave 409
    // APPLICATION_TRANSITION_NOT_ALLOWED instead of this.
    if (app.consentDueAt && clock.now() > app.consentDueAt) throw issuanceProblem('CONSENT_NOT_EXPECTED');
    const actor: Actor = { kind: 'subject', id: accountId };
    const recordAnswer = async (trx: Parameters<typeof decideConsent>[0]) => {
      const status = decision === 'consent' ? 'consented' : 'refused';
      if (!(await decideConsent(trx, app.id, account.registryId, { status, accountId, at: clock.now() }))) {
        throw platformProblem('CONFLICT');
      }
    };
    if (decision === 'refuse') {
      return engine.fire(app.id, actor, {
        event: 'consent_refused',
        before: recordAnswer,
        notify: (trx, updated) => endedNotices(trx, updated, 'refused'),
      });
    }
    const others = (await consentsOf(db, app.id)).filter((c) => c.registry_id !== account.registryId);
    if (others.some((c) => c.status !== 'consented')) {
      // Not the last one: record the consent only (the application stays awaiting the others).
      await db.transaction().execute(async (trx) => {
        const locked = await engine.lockApplication(trx, app.id);
        if (locked.state !== 'awaiting_consent') throw issuanceProblem('CONSENT_NOT_EXPECTED');
        await recordAnswer(trx);
        const remaining = (await consentsOf(trx, app.id)).filter((c) => c.status !== 'consented');
        if (remaining.length === 0) throw platformProblem('CONFLICT');
      });
      return (await engine.get(app.id))!;
    }
    return engine.fire(app.id, actor, { event: 'consents_complete', before: recordAnswer });
  }

  async function endedNotices(
    trx: Parameters<typeof decideConsent>[0],
    app: Application,
    reason: 'refused' | 'lapsed',
  ) {
    const params = { applicationNo: app.number, organisationName: app.subjectName, reason };
    const recipients = [app.submittedBy, ...(await consentsOf(trx, app.id)).map((c) => c.account_id)];
    for (const accountId of new Set(recipients.filter((x): x is string => !!x))) {
      await deps.notify.enqueue(trx, {
        channel: 'inbox',
        recipient: accountId,
        template: 'organisation_request_ended',
        params,
        key: `issuance:${app.id}:ended:${accountId}`,
      });
    }
  }

  // --- decisions ---------------------------------------------------------------------------------

  /**
   * An officer's decision. The flow says which role may fire the event; maker–checker: the officer
   * who received the application cannot decide on it (Decree 69 Art 11: receipt and approval are
   * separate steps). Forwarding a foreigner's request hands it to C06 (Art 12.2).
   */
  async function decide(officerId: string, applicationId: string, decision: Decision): Promise<Application> {
    const app = await engine.get(applicationId);
    if (!app) throw platformProblem('NOT_FOUND', { what: 'application' });
    // Fix: only events that the flow gives to an officer are taken here. An event of the system or
    // of the subject (consents_complete, card_issued, withdraw…) passed to decide() was applied under
    // the officer's APPROVER role: e.g. an approver could complete an organisation's consents
    // without the co-representatives.
    const byOfficer = FLOWS[app.procedure].some(
      (x) => x.event === decision.event && (x.by === 'RECEIVER' || x.by === 'APPROVER'),
    );
    if (!byOfficer) {
      throw issuanceProblem('APPLICATION_TRANSITION_NOT_ALLOWED', { event: String(decision.event), state: app.state });
    }
    const role = decision.event === 'forward' ? 'RECEIVER' : 'APPROVER';
    await engine.checkOfficer(officerId, app, role);
    if ((decision.event === 'approve' || decision.event === 'reject') && app.receivedBy === officerId) {
      throw issuanceProblem('MAKER_CHECKER');
    }
    const reasons = decision.reasons?.map((r) => checkedReason(r));
    return engine.fire(
      applicationId,
      { kind: 'officer', id: officerId },
      {
        event: decision.event,
        expectedVersion: decision.expectedVersion,
        ...(reasons ? { reasons } : {}),
        ...(decision.note ? { note: decision.note } : {}),
        ...(decision.event === 'forward' ? { patch: { unit_id: await c06() } } : {}),
      },
    );
  }

  async function withdraw(accountId: string, applicationId: string, expectedVersion: number) {
    const app = await engine.get(applicationId);
    if (!app || (app.submittedBy !== accountId && app.accountId !== accountId)) {
      throw platformProblem('NOT_FOUND', { what: 'application' });
    }
    return engine.fire(applicationId, { kind: 'subject', id: accountId }, { event: 'withdraw', expectedVersion });
  }

  // --- queues, reports, workers ------------------------------------------------------------------

  async function queue(officerId: string, options: { unitId?: string; limit?: number } = {}): Promise<QueueEntry[]> {
    const scope = await backoffice.scopeOf(officerId);
    if (options.unitId && !scope.includes(options.unitId)) throw platformProblem('FORBIDDEN');
    const calendar = await deps.calendar.current();
    const now = clock.now();
    const apps = await queueOf(db, options.unitId ? [options.unitId] : scope, { limit: options.limit ?? 100 });
    return apps.map((application) => deadlineEntry(application, calendar, now));
  }

  /** The application with its legal deadline as a queue shows it (for one application's page). */
  async function withDeadline(application: Application): Promise<QueueEntry> {
    return deadlineEntry(application, await deps.calendar.current(), clock.now());
  }

  /** A worker: flags applications near (within NEAR_DEADLINE_HOURS) and past their deadline. */
  async function flagDeadlines(limit = 500): Promise<number> {
    const now = clock.now();
    const near = new Date(now.getTime() + NEAR_DEADLINE_HOURS * 3_600_000);
    let flagged = 0;
    for (const app of await dueForFlag(db, now, near, limit)) {
      const flag = app.dueAt! < now ? 'overdue' : 'near';
      const changed = await db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('issuance.applications')
          .set({ flag })
          .where('id', '=', app.id)
          .where('state', '=', app.state)
          .where((eb) => (app.flag === null ? eb('flag', 'is', null) : eb('flag', '=', app.flag)))
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) return false;
        for (const officer of await backoffice.officersOf(app.unitId)) {
          if (officer.role !== 'RECEIVER' && officer.role !== 'APPROVER') continue;
          await deps.notify.enqueue(trx, {
            channel: 'inbox',
            recipient: officer.accountId,
            template: 'application_deadline',
            params: {
              applicationNo: app.number,
              procedure: procedureNotice(app),
              dueOn: vnDate(app.dueAt!),
              state: flag,
            },
            key: `issuance:${app.id}:deadline:${flag}:${officer.accountId}`,
          });
        }
        return true;
      });
      if (changed) flagged++;
    }
    return flagged;
  }

  /** A worker: consent windows that closed end their requests (Art 13.1 policy window). */
  async function lapseConsents(limit = 200): Promise<number> {
    let lapsed = 0;
    for (const app of await consentsLapsed(db, clock.now(), limit)) {
      try {
        await engine.fire(
          app.id,
          { kind: 'system', id: 'consent-window' },
          {
            event: 'consent_lapsed',
            expectedVersion: app.version,
            notify: (trx, updated) => endedNotices(trx, updated, 'lapsed'),
          },
        );
        lapsed++;
      } catch (error) {
        if (!isLostRace(error)) throw error;
      }
    }
    return lapsed;
  }

  /** A worker: level-2 applications waiting on a card move on once the registry shows it issued. */
  async function followCards(limit = 200): Promise<number> {
    const waiting = await db
      .selectFrom('issuance.applications')
      .select(['id', 'registry_id', 'version'])
      .where('state', '=', 'awaiting_card')
      .limit(limit)
      .execute();
    let moved = 0;
    for (const row of waiting) {
      const citizen: Citizen | null = row.registry_id ? await registries.identity.findById(row.registry_id) : null;
      if (!citizen || !hasValidCard(citizen, today())) continue;
      try {
        await engine.fire(
          row.id,
          { kind: 'system', id: 'card-issuance' },
          { event: 'card_issued', expectedVersion: Number(row.version) },
        );
        moved++;
      } catch (error) {
        if (!isLostRace(error)) throw error;
      }
    }
    return moved;
  }

  async function report(range: { from: Date; to: Date }) {
    const units = new Map((await backoffice.units()).map((u) => [u.id, u]));
    const rows = await onTimeByUnit(db, range.from, range.to, clock.now());
    return rows.map((r) => {
      const decided = Number(r.decided);
      const onTime = Number(r.on_time);
      const unit = units.get(r.unit_id);
      return {
        unitId: r.unit_id,
        unitCode: unit?.code ?? null,
        unitName: unit?.nameVi ?? null,
        decided,
        onTime,
        onTimeRate: decided > 0 ? onTime / decided : null,
        open: Number(r.open),
        openOverdue: Number(r.open_overdue),
      };
    });
  }

  return {
    applyCitizenLevel1,
    applyForDependant,
    receiveCitizen,
    applyForeignerLevel1,
    receiveForeigner,
    applyOrganisation,
    receiveOrganisation,
    answerConsent,
    decide,
    withdraw,
    queue,
    withDeadline,
    report,
    flagDeadlines,
    lapseConsents,
    followCards,
    get: engine.get,
    byNumber: (number: string) => findByNumber(db, number),
    history: (id: string) => eventsOf(db, id),
    consents: (id: string) => consentsOf(db, id),
    mine: (accountId: string) => applicationsBy(db, { submittedBy: accountId }),
    forAccount: (accountId: string) => applicationsBy(db, { accountId }),
    async pendingConsentsFor(accountId: string) {
      const account = await identity.get(accountId);
      return account ? pendingConsentsFor(db, account.registryId) : [];
    },
  };
}

export type IssuanceService = ReturnType<typeof createIssuanceService>;

function procedureNotice(app: Application) {
  return app.subjectKind === 'organisation'
    ? 'eid_organisation'
    : app.subjectKind === 'foreigner'
      ? 'eid_foreigner'
      : app.procedure.includes('l1')
        ? 'eid_level1'
        : 'eid_level2';
}

/**
 * An officer's reason, checked. Fix: reasons were stored as given, so an unknown code made the
 * refusal notice throw (a TypeError, 500) and a long note made it fail the catalogue's 500-character
 * limit on a reason (NOTIFY_INVALID_MESSAGE); both now answer APPLICATION_INVALID (400).
 */
function checkedReason(reason: Reason): Reason {
  const errors = new FieldErrors();
  const code = (reason as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !Object.hasOwn(REJECTION_REASONS, code)) {
    errors.add('reasons', `unknown reason code ${JSON.stringify(code)}`);
  }
  const field = errors.text('reasons.field', reason?.field, { required: false, max: 100 });
  const note = errors.text('reasons.note', reason?.note, { required: false, max: 200 });
  errors.throwIfAny();
  return { code: code as RejectionCode, ...(field ? { field } : {}), ...(note ? { note } : {}) };
}

function isLostRace(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'CONFLICT' || code === 'APPLICATION_TRANSITION_NOT_ALLOWED';
}

/** '+84912345678' → '0912345678' (the registries' and notices' national form). */
function normaliseE164(phone: string): string | null {
  if (/^\+84\d{9}$/.test(phone)) return `0${phone.slice(3)}`;
  return /^0\d{9}$/.test(phone) ? phone : null;
}

/** Working days from `from` to the deadline's last day: 0 when due today, negative when past. */
function deadlineEntry(
  application: Application,
  calendar: { isWorkingDay(date: IsoDate): boolean },
  now: Date,
): QueueEntry {
  if (!application.dueAt) return { application, dueOn: null, workingDaysLeft: null, overdue: false };
  const dueOn = vnDate(application.dueAt);
  return {
    application,
    dueOn,
    workingDaysLeft: workingDaysLeft(calendar, vnDate(now), dueOn),
    overdue: now > application.dueAt,
  };
}

function workingDaysLeft(calendar: { isWorkingDay(date: IsoDate): boolean }, from: IsoDate, dueOn: IsoDate): number {
  const step = from <= dueOn ? 1 : -1;
  let count = 0;
  let day = from;
  // Bounded: deadlines are at most a few weeks away.
  for (let i = 0; i < 400 && day !== dueOn; i++) {
    day = addDay(day, step);
    if (calendar.isWorkingDay(day)) count += step;
  }
  return count;
}

function addDay(iso: IsoDate, step: number): IsoDate {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + step);
  return d.toISOString().slice(0, 10);
}
