import { createHmac, randomUUID } from 'node:crypto';
import { SignJWT, type JWK } from 'jose';
import QRCode from 'qrcode';
import type { AuditService } from '../audit/service.ts';
import type { AuthService, LoginContext } from '../auth/service.ts';
import type { Account, IdentityService } from '../identity/service.ts';
import type { Platform } from '../platform/context.ts';
import { platformProblem } from '../platform/errors.ts';
import { vietnamDate } from '../registries/dates.ts';
import type { Citizen } from '../registries/model.ts';
import type { NationalRegistries } from '../registries/ports.ts';
import {
  advanceKeys,
  ensureCurrentKey,
  EID_ALG,
  publicJwks,
  signingKeys,
  stageNextKey,
  type KeyAdvance,
} from './keys.ts';
import {
  cardFrom,
  claimsFor,
  DOCUMENT_KINDS,
  documentParams,
  EID_TYP,
  eidProblem,
  eidStatusOf,
  ineligibility,
  notActiveProblem,
  referenceOf,
  resolveEidPolicy,
  retentionCutoff,
  type DocumentKind,
  type EidCard,
  type EidPolicy,
  type IntegratedDocument,
  type OnlineStatus,
  type RegistryDocument,
} from './model.ts';
import {
  deleteDocument,
  deletePresentationsBefore,
  documentsOf,
  eidSecret,
  findPresentation,
  insertPresentation,
  presentationsOf,
  recordVerification,
  upsertDocument,
  type PresentationRecord,
} from './repository.ts';
import type { Selectable } from 'kysely';
import type { DocumentRow } from './tables.ts';
import { verifyPresentation, type PresentationPayload } from './verify.ts';

export type { EidCard, EidPolicy, IntegratedDocument, KeyAdvance, OnlineStatus, PresentationRecord };

/**
 * Use cases of the electronic identity card (Law on Identification 2023 Arts 31–34; Decree 69/2024
 * Art 15; DOMAIN.md §6). Who asks is a signed-in app session (`Holder`: the account and the
 * session the bearer token belongs to). The card's data are shown only after the passcode
 * (`unlock`), which yields a short-lived proof bound to that session; every other holder call
 * takes the proof.
 */
export interface Holder {
  accountId: string;
  clientId: string;
  /**
   * What ties a proof to the session that typed the passcode: a digest of the access token (the
   * routes' choice). A proof made with one token opens nothing with another, even of the same
   * person and app (a grant is shared by every session of an account with a first-party app).
   */
  session?: string | undefined;
}

export interface Unlocked {
  /** Opaque; send it back as `X-Eid-Proof`. */
  proof: string;
  expiresAt: Date;
  card: EidCard;
}

export interface Presentation {
  /** Compact JWS, `typ: vn-eid+jwt`, ES256. */
  credential: string;
  jti: string;
  purpose: string;
  audience: string | null;
  /** Names of the claims released. */
  claims: string[];
  issuedAt: Date;
  expiresAt: Date;
  /** The credential as a QR code, `data:image/png;base64,…`. */
  qrPng: string;
}

export interface OnlineVerification {
  valid: boolean;
  status: OnlineStatus;
  /** The claims the credential carries, only while the card is `active`. */
  claims?: Record<string, unknown>;
  purpose?: string;
  issuedAt?: Date;
  expiresAt?: Date;
}

export interface EidService {
  /** Checks the passcode (with auth's throttle) and opens the card: the proof and the card. */
  unlock(holder: Holder, passcode: string, ctx: LoginContext): Promise<Unlocked>;
  /** The card, read from the Identity DB now. */
  card(holder: Holder, proof: string | undefined): Promise<EidCard>;
  /** A signed, short-lived credential of the card for a purpose, with its QR code; recorded. */
  present(
    holder: Holder,
    proof: string | undefined,
    options: { purpose?: string | undefined; audience?: string | undefined },
  ): Promise<Presentation>;
  /** The holder's usage history, newest first. */
  history(holder: Holder, proof: string | undefined, limit?: number): Promise<PresentationRecord[]>;
  /** Online check by a verifier: the signature and the card's status now; records the verification. */
  verifyOnline(credential: string, verifier: { name?: string | null; ip?: string | null }): Promise<OnlineVerification>;
  /** Integrates a document found in its registry (Decree 69 Art 15, at the holder's request). */
  integrateDocument(
    holder: Holder,
    proof: string | undefined,
    kind: DocumentKind,
  ): Promise<{ created: boolean; document: IntegratedDocument }>;
  documents(holder: Holder, proof: string | undefined): Promise<IntegratedDocument[]>;
  removeDocument(holder: Holder, proof: string | undefined, kind: DocumentKind): Promise<void>;
  /** The published keys (current, next, retired), made on first call. */
  jwks(): Promise<{ keys: JWK[] }>;
  /** Job: key life cycle (next → current → retired → removed; scheduled rotations). */
  advanceKeys(): Promise<KeyAdvance>;
  /** Stages a rotation now (an operator's action). */
  stageKeyRotation(): Promise<{ kid: string; activateAfter: Date }>;
  /** Job: deletes usage history past its retention (5 years); returns how many rows. */
  purgeHistory(batch?: number): Promise<number>;
  readonly policy: EidPolicy;
}

export interface EidDeps {
  registries: Pick<NationalRegistries, 'identity' | 'drivingLicences' | 'healthInsurance'>;
  identity: Pick<IdentityService, 'get'>;
  auth: Pick<AuthService, 'verifyPasscode'>;
  audit: Pick<AuditService, 'append'>;
}

const PROOF_CONTEXT = 'eid-proof';
const accountSubject = (id: string) => ({ kind: 'account', id });
const holderActor = (id: string) => ({ kind: 'citizen', id });

interface ProofBody {
  v: 1;
  a: string;
  c: string;
  s: string;
  /** Expiry, ms since the epoch. */
  x: number;
}

export function createEidService(
  platform: Platform,
  deps: EidDeps,
  options: { policy?: Partial<EidPolicy> } = {},
): EidService {
  const { db, clock, secrets, config } = platform;
  const { registries, identity, auth, audit } = deps;
  const policy = resolveEidPolicy(options.policy);
  const currentSigningKey = signingKeys(db, secrets);
  let pairwiseSalt: Promise<Buffer> | undefined;

  // --- who may see the card --------------------------------------------------------------------

  async function eligibleAccount(accountId: string): Promise<Account> {
    const account = await identity.get(accountId);
    if (!account) throw platformProblem('NOT_FOUND', { what: 'account' });
    const why = ineligibility(account);
    if (why === 'not_citizen') throw eidProblem('EID_CITIZENS_ONLY');
    if (why === 'level_1') throw eidProblem('EID_LEVEL2_REQUIRED');
    return account;
  }

  async function citizenOf(account: Account): Promise<Citizen> {
    // Law on Identification Art 31.2: the card's data are the Identity DB's, read now, never a copy.
    const citizen = await registries.identity.findById(account.registryId);
    if (!citizen) throw eidProblem('EID_NOT_IN_REGISTRY');
    return citizen;
  }

  async function readCard(account: Account): Promise<EidCard> {
    const citizen = await citizenOf(account);
    return cardFrom(citizen, eidStatusOf(account, citizen), clock.now());
  }

  function issueProof(holder: Holder, expiresAt: Date): string {
    const body: ProofBody = { v: 1, a: holder.accountId, c: holder.clientId, s: holder.session ?? '', x: +expiresAt };
    return secrets.seal(JSON.stringify(body), PROOF_CONTEXT);
  }

  /** The passcode proof must be this session's and fresh (DOMAIN.md §7: passcode for sensitive actions). */
  function checkProof(holder: Holder, proof: string | undefined): void {
    if (!proof) throw eidProblem('EID_PASSCODE_REQUIRED');
    let body: Partial<ProofBody>;
    try {
      body = JSON.parse(secrets.open(proof, PROOF_CONTEXT).toString('utf8')) as Partial<ProofBody>;
    } catch {
      throw eidProblem('EID_PROOF_INVALID');
    }
    const fits =
      body.v === 1 &&
      body.a === holder.accountId &&
      body.c === holder.clientId &&
      body.s === (holder.session ?? '') &&
      typeof body.x === 'number' &&
      body.x > clock.now().getTime();
    if (!fits) throw eidProblem('EID_PROOF_INVALID');
  }

  /** An account with a card (or why not: the owner may know), then the session's passcode proof. */
  async function openedAccount(holder: Holder, proof: string | undefined): Promise<Account> {
    const account = await eligibleAccount(holder.accountId);
    checkProof(holder, proof);
    return account;
  }

  // --- presentations ---------------------------------------------------------------------------

  /**
   * The credential's `sub`: pairwise, never the account id. HMAC of the audience (a verifier the
   * holder named) and the account under a secret of this context, so one verifier recognises a
   * returning holder and two verifiers cannot link their records; without an audience, the sector
   * is the presentation itself (unlinkable). The platform finds the account through the jti.
   */
  async function pairwiseSubject(accountId: string, sector: string): Promise<string> {
    pairwiseSalt ??= eidSecret(db, secrets, 'pairwise-salt', clock.now()).catch((error: unknown) => {
      pairwiseSalt = undefined;
      throw error;
    });
    return createHmac('sha256', await pairwiseSalt)
      .update(`${sector}\u0000${accountId}`)
      .digest('base64url');
  }

  async function sign(
    claims: Record<string, unknown>,
    meta: { jti: string; sub: string; audience: string | null; iat: number; exp: number },
  ): Promise<{ jws: string; kid: string }> {
    const { kid, key } = await currentSigningKey(clock.now());
    let jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: EID_ALG, typ: EID_TYP, kid })
      .setIssuer(config.baseUrl)
      .setSubject(meta.sub)
      .setJti(meta.jti)
      .setIssuedAt(meta.iat)
      .setExpirationTime(meta.exp);
    if (meta.audience) jwt = jwt.setAudience(meta.audience);
    return { jws: await jwt.sign(key), kid };
  }

  /** The claims a verifier gets back: the credential's own, without the JWT's envelope. */
  function releasedClaims(payload: PresentationPayload): Record<string, unknown> {
    const envelope = new Set(['iss', 'sub', 'aud', 'jti', 'iat', 'exp', 'nbf', 'purpose']);
    return Object.fromEntries(Object.entries(payload).filter(([name]) => !envelope.has(name)));
  }

  /** The card's status at this moment for the account behind a presentation. */
  async function statusNow(accountId: string): Promise<OnlineStatus> {
    const account = await identity.get(accountId);
    const citizen = account ? await registries.identity.findById(account.registryId) : null;
    return eidStatusOf(account, citizen);
  }

  // --- documents -------------------------------------------------------------------------------

  async function fromRegistry(kind: DocumentKind, pin: string): Promise<RegistryDocument | null> {
    if (kind === 'driving_licence') {
      const licence = await registries.drivingLicences.findByPin(pin);
      return licence ? { kind, licence } : null;
    }
    const card = await registries.healthInsurance.findByPin(pin);
    return card ? { kind, card } : null;
  }

  function checkKind(kind: string): asserts kind is DocumentKind {
    if (!(DOCUMENT_KINDS as readonly string[]).includes(kind)) {
      throw platformProblem(
        'VALIDATION_FAILED',
        { reason: `kind must be one of ${DOCUMENT_KINDS.join(', ')}` },
        { field: 'kind' },
      );
    }
  }

  function integrated(row: Selectable<DocumentRow>, current: RegistryDocument | null): IntegratedDocument {
    return {
      kind: row.kind,
      reference: row.reference,
      snapshotOn: row.snapshot_on,
      integratedAt: row.integrated_at,
      current,
    };
  }

  return {
    policy,

    async unlock(holder, passcode, ctx) {
      // A level-1 or non-citizen account is told why at once, without spending a passcode attempt.
      const account = await eligibleAccount(holder.accountId);
      // The passcode (with its own throttle, auth.verifyPasscode) comes before any card data.
      await auth.verifyPasscode(account.id, passcode, ctx);
      const card = await readCard(account);
      const expiresAt = new Date(clock.now().getTime() + policy.proofTtlSec * 1000);
      return { proof: issueProof(holder, expiresAt), expiresAt, card };
    },

    async card(holder, proof) {
      return readCard(await openedAccount(holder, proof));
    },

    async present(holder, proof, options) {
      const account = await openedAccount(holder, proof);
      const card = await readCard(account);
      // Law on Identification Art 34: a locked or revoked card cannot be presented.
      if (card.status !== 'active') throw notActiveProblem(card.status);
      const purpose = options.purpose ?? 'full';
      const now = clock.now();
      const { names, claims } = claimsFor(card, purpose, vietnamDate(now));
      const audience = options.audience?.trim() || null;
      const jti = randomUUID();
      const iat = Math.floor(now.getTime() / 1000);
      const exp = iat + policy.presentationTtlSec;
      const sub = await pairwiseSubject(account.id, audience ? `aud:${audience}` : `jti:${jti}`);
      const { jws, kid } = await sign({ ...claims, purpose }, { jti, sub, audience, iat, exp });
      const issuedAt = new Date(iat * 1000);
      const expiresAt = new Date(exp * 1000);
      // DOMAIN.md §6: every use of the card is recorded (names of the claims, never their values).
      await db.transaction().execute(async (trx) => {
        await insertPresentation(trx, {
          jti,
          accountId: account.id,
          purpose,
          audience,
          claims: names,
          kid,
          createdAt: now,
          expiresAt,
        });
        await audit.append(trx, {
          actor: holderActor(account.id),
          action: 'eid.presentation.created',
          subject: accountSubject(account.id),
          outcome: 'success',
          detail: { jti, purpose, claims: names, ...(audience ? { audience } : {}) },
        });
      });
      const qrPng = await QRCode.toDataURL(jws, { errorCorrectionLevel: 'M', margin: 2 });
      return { credential: jws, jti, purpose, audience, claims: names, issuedAt, expiresAt, qrPng };
    },

    async history(holder, proof, limit = 100) {
      const account = await openedAccount(holder, proof);
      return presentationsOf(db, account.id, Math.min(Math.max(1, limit), 500));
    },

    async verifyOnline(credential, verifier) {
      const now = clock.now();
      const offline = await verifyPresentation(credential, await publicJwks(db), {
        now,
        issuer: config.baseUrl,
        clockToleranceSec: 0,
        maxLifetimeSec: Math.max(600, policy.presentationTtlSec),
      });
      // Forged, altered, of another type or issuer: nothing to look up.
      if (!offline.valid && offline.reason !== 'expired') return { valid: false, status: 'invalid' };
      const payload = offline.payload;
      const record = payload ? await findPresentation(db, payload.jti) : undefined;
      // Signed by us but not in the history (purged after 5 years, or never issued): not a card any more.
      if (!payload || !record) return { valid: false, status: 'invalid' };
      // Law on Identification Art 34: a locked card reports `locked` at once; closed or downgraded: revoked.
      const status: OnlineStatus = offline.valid ? await statusNow(record.accountId) : 'expired';
      const name = verifier.name?.trim().slice(0, 200) || null;
      await db.transaction().execute(async (trx) => {
        await recordVerification(trx, record.jti, { at: now, verifier: name, ip: verifier.ip ?? null, status });
        await audit.append(trx, {
          actor: { kind: 'verifier', id: name ?? 'anonymous' },
          action: 'eid.presentation.verified',
          subject: accountSubject(record.accountId),
          outcome: status === 'active' ? 'success' : 'denied',
          detail: { jti: record.jti, status, ...(verifier.ip ? { ip: verifier.ip } : {}) },
        });
      });
      return {
        valid: status === 'active',
        status,
        ...(status === 'active' ? { claims: releasedClaims(payload) } : {}),
        purpose: payload.purpose,
        issuedAt: new Date(payload.iat * 1000),
        expiresAt: new Date(payload.exp * 1000),
      };
    },

    async integrateDocument(holder, proof, kind) {
      checkKind(kind);
      const account = await openedAccount(holder, proof);
      const citizen = await citizenOf(account);
      const found = await fromRegistry(kind, citizen.pin);
      if (!found) throw eidProblem('EID_DOCUMENT_NOT_IN_REGISTRY', documentParams(kind), { field: 'kind' });
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const { created, row } = await upsertDocument(trx, {
          account_id: account.id,
          kind,
          reference: referenceOf(found),
          snapshot_on: vietnamDate(now),
          now,
        });
        await audit.append(trx, {
          actor: holderActor(account.id),
          action: created ? 'eid.document.integrated' : 'eid.document.refreshed',
          subject: accountSubject(account.id),
          outcome: 'success',
          detail: { kind },
        });
        return { created, document: integrated(row, found) };
      });
    },

    async documents(holder, proof) {
      const account = await openedAccount(holder, proof);
      const rows = await documentsOf(db, account.id);
      if (rows.length === 0) return [];
      const citizen = await citizenOf(account);
      // Shown from the registry as it is now: a licence renewed since shows its new dates.
      return Promise.all(rows.map(async (row) => integrated(row, await fromRegistry(row.kind, citizen.pin))));
    },

    async removeDocument(holder, proof, kind) {
      checkKind(kind);
      const account = await openedAccount(holder, proof);
      await db.transaction().execute(async (trx) => {
        if (!(await deleteDocument(trx, account.id, kind))) {
          throw eidProblem('EID_DOCUMENT_NOT_INTEGRATED', documentParams(kind), { field: 'kind' });
        }
        await audit.append(trx, {
          actor: holderActor(account.id),
          action: 'eid.document.removed',
          subject: accountSubject(account.id),
          outcome: 'success',
          detail: { kind },
        });
      });
    },

    async jwks() {
      await ensureCurrentKey(db, secrets, clock.now());
      return publicJwks(db);
    },

    advanceKeys() {
      return advanceKeys(db, secrets, clock.now(), policy);
    },

    stageKeyRotation() {
      return stageNextKey(db, secrets, clock.now(), policy);
    },

    async purgeHistory(batch = 5000) {
      // DOMAIN.md §§6, 9: the usage history is kept 5 years, then deleted.
      const cutoff = retentionCutoff(clock.now(), policy.historyRetentionYears);
      let total = 0;
      for (let round = 0; round < 20; round++) {
        const deleted = await deletePresentationsBefore(db, cutoff, batch);
        total += deleted;
        if (deleted < batch) break;
      }
      return total;
    },
  };
}
