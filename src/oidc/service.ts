import type Provider from 'oidc-provider';
import type { AuditEvent } from '../audit/model.ts';
import type { Platform } from '../platform/context.ts';
import { purgeExpired as purgeRows } from './adapter.ts';
import { createClientRegistry, type ClientRegistry } from './clients.ts';
import {
  DEFAULT_KEY_POLICY,
  advanceKeys,
  ensureSigningKeys,
  keysFingerprint,
  listKeys,
  loadJwks,
  providerSecret,
  stageNextKeys,
  type KeyAdvance,
  type KeyInfo,
  type KeyPolicy,
} from './keys.ts';
import { claimsReleased, oidcProblem } from './model.ts';
import type { OidcDeps } from './ports.ts';
import { buildProvider, type OIDC_TTL } from './provider.ts';
import {
  deleteAllOf,
  deleteGrants,
  grantsOf,
  latestGrantId,
  logoutTargets,
  sessionsOf,
  type RemovedPayload,
} from './repository.ts';
import type { RelyingPartyKind } from './tables.ts';

/**
 * The OpenID provider as the rest of the platform sees it: the oidc-provider instance (rebuilt
 * when the signing keys change), the relying-party registry, the subjects' consents, and
 * `sessions.terminate` (a lock, a new device) for the auth and locks contexts.
 */
export interface OidcOptions {
  keyPolicy?: KeyPolicy;
  /** Back-channel logout to loopback/private addresses (tests, sandbox); production refuses them. */
  allowPrivateNetworkFetch?: boolean;
  ttl?: Partial<typeof OIDC_TTL>;
}

export interface Consent {
  client_id: string;
  client_name: string;
  client_name_en: string;
  kind: RelyingPartyKind;
  scopes: string[];
  claims: string[];
  /** When the (latest) consent was given. */
  granted_at: Date;
  /** Grants behind it: one for a state relying party; one per authentication for a private one. */
  grants: number;
}

type Actor = { kind: string; id: string };

/** One back-channel logout token sent (or tried) to a relying party, for one of its sessions. */
export interface BackchannelOutcome {
  clientId: string;
  sid: string;
  delivered: boolean;
  /** Why it was not delivered (the endpoint down, a non-200 answer…); also in the ledger. */
  error?: string;
}

/** What `sessions.terminate` did. */
export interface Termination {
  accountId: string;
  reason: string;
  /** Provider sessions ended. */
  sessions: number;
  /** Rows removed: sessions, grants, authorization codes, access and refresh tokens. */
  removed: number;
  /** One per (relying party registered for back-channel logout, session it was part of). */
  backchannel: BackchannelOutcome[];
}

/** How many of the removed rows were sessions still running. */
function liveSessions(rows: RemovedPayload[], now: Date): number {
  return rows.filter((r) => r.model === 'Session' && !(r.expires_at && r.expires_at <= now)).length;
}

/** Back-channel logout tokens in flight at once (each waits up to oidc-provider's 2.5 s timeout). */
const BACKCHANNEL_CONCURRENCY = 8;
type BackchannelClient = { backchannelLogout(sub: string, sid: string): Promise<void> };

export interface Oidc {
  /** Loads (or makes, on first start) keys and secrets and builds the provider. Idempotent. */
  ready(): Promise<void>;
  /** The provider instance in service (throws before `ready`). */
  provider(): Provider;
  clients: ClientRegistry;
  /** Rebuilds the provider when the keys in the database changed (another process rotated). */
  reloadIfKeysChanged(): Promise<boolean>;
  /** Stages a key rotation (new keys published now, signing after the publish delay). */
  rotateKeys(actor: Actor): Promise<{ kid: string; alg: string; activateAfter: Date }[]>;
  /** Promotes due keys, removes expired ones, stages scheduled rotations; reloads when needed. */
  advanceKeys(): Promise<KeyAdvance>;
  listKeys(): Promise<KeyInfo[]>;
  /** Deletes expired sessions, codes, tokens, interactions and login flows. */
  purgeExpired(): Promise<number>;
  sessions: {
    /**
     * Ends everything an account holds at the provider, at once (DOMAIN.md §6: a lock takes effect
     * everywhere at once; Law on Identification Arts 31–34): every session, every grant, every
     * authorization code, access and refresh token, in one statement; then sends an OpenID
     * Back-Channel Logout token (signed by oidc-provider, `sid` and `sub`, pairwise for a private
     * relying party) to every relying party registered with a `backchannel_logout_uri` that was
     * part of one of those sessions or holds one of those tokens. Call it after the transaction
     * that locked the account commits. Idempotent: a second call finds nothing left and tells no
     * one. A relying party's endpoint that is down or refuses is recorded (ledger
     * `oidc.backchannel_logout.sent`, outcome failure; `backchannel[].delivered = false`), never
     * thrown; only a database failure throws (nothing was ended then).
     */
    terminate(accountId: string, reason: string): Promise<Termination>;
    /** For createAuthService (contract): `terminate` without its report. */
    endAll(accountId: string, reason: string): Promise<void>;
  };
  consentsOf(accountId: string): Promise<Consent[]>;
  /** Withdraws a consent: the relying party's grants and tokens go, it is told by back-channel. */
  revokeConsent(accountId: string, clientId: string, actor: Actor): Promise<void>;
}

export function createOidc(platform: Platform, deps: OidcDeps, options: OidcOptions = {}): Oidc {
  const { db, clock, secrets, log } = platform;
  const policy = options.keyPolicy ?? DEFAULT_KEY_POLICY;
  const clients = createClientRegistry({ db, clock, secrets, audit: deps.audit });

  let current: Provider | undefined;
  let fingerprint = '';
  let cookieKeys: string[] = [];
  let pairwiseSecret: Buffer = Buffer.alloc(0);
  let starting: Promise<void> | undefined;
  let reloading: Promise<boolean> | undefined;

  async function recordAudit(events: AuditEvent[]): Promise<void> {
    await db.transaction().execute(async (trx) => {
      for (const event of events) await deps.audit.append(trx, event);
    });
  }

  async function build(): Promise<void> {
    const fp = await keysFingerprint(db);
    const jwks = await loadJwks(db, secrets);
    current = buildProvider(platform, deps.identity, {
      jwks,
      cookieKeys,
      pairwiseSecret,
      allowPrivateNetworkFetch: options.allowPrivateNetworkFetch,
      ttl: options.ttl,
      latestGrantId: (accountId, clientId) => latestGrantId(db, accountId, clientId, clock.now()),
      clientMetadata: (clientId) => clients.metadata(clientId),
      recordAudit,
    });
    fingerprint = fp;
  }

  async function start(): Promise<void> {
    const now = clock.now();
    await ensureSigningKeys(db, secrets, now);
    cookieKeys = [(await providerSecret(db, secrets, 'cookie-key-1', now)).toString('base64url')];
    pairwiseSecret = await providerSecret(db, secrets, 'pairwise-salt', now);
    await build();
  }

  function ready(): Promise<void> {
    starting ??= start().catch((error: unknown) => {
      starting = undefined;
      throw error;
    });
    return starting;
  }

  function provider(): Provider {
    if (!current) throw oidcProblem('OIDC_NOT_READY');
    return current;
  }

  async function reloadIfKeysChanged(): Promise<boolean> {
    await ready();
    reloading ??= (async () => {
      try {
        if ((await keysFingerprint(db)) === fingerprint) return false;
        await build();
        log.info({ fingerprint }, 'oidc signing keys changed: provider reloaded');
        return true;
      } finally {
        reloading = undefined;
      }
    })();
    return reloading;
  }

  /** Sends one back-channel logout token; never throws (the outcome says what happened). */
  async function sendLogoutToken(
    p: Provider,
    accountId: string,
    clientId: string,
    sid: string,
  ): Promise<BackchannelOutcome | undefined> {
    try {
      const client = await p.Client.find(clientId);
      // Not registered for back-channel logout (or disabled meanwhile): nobody to tell.
      if (!client?.backchannelLogoutUri) return undefined;
      // oidc-provider signs the logout token (pairwise sub for private relying parties) and posts it.
      await (client as unknown as BackchannelClient).backchannelLogout(accountId, sid);
      return { clientId, sid, delivered: true };
    } catch (error) {
      log.warn({ client: clientId, err: error }, 'back-channel logout failed');
      return { clientId, sid, delivered: false, error: (error as Error).message };
    }
  }

  /** Sends back-channel logout tokens for the given (client, sid) pairs and records every outcome. */
  async function backchannelLogout(
    accountId: string,
    targets: Map<string, Set<string>>,
  ): Promise<BackchannelOutcome[]> {
    if (targets.size === 0) return [];
    const p = provider();
    const pairs = [...targets].flatMap(([clientId, sids]) => [...sids].map((sid) => ({ clientId, sid })));
    const outcomes: BackchannelOutcome[] = [];
    for (let i = 0; i < pairs.length; i += BACKCHANNEL_CONCURRENCY) {
      const batch = pairs.slice(i, i + BACKCHANNEL_CONCURRENCY);
      const sent = await Promise.all(batch.map(({ clientId, sid }) => sendLogoutToken(p, accountId, clientId, sid)));
      outcomes.push(...sent.filter((o): o is BackchannelOutcome => o !== undefined));
    }
    const events: AuditEvent[] = outcomes.map((o) => ({
      actor: { kind: 'system', id: 'oidc' },
      action: 'oidc.backchannel_logout.sent',
      subject: { kind: 'account', id: accountId },
      outcome: o.delivered ? 'success' : 'failure',
      detail: { client_id: o.clientId, sid: o.sid, ...(o.error ? { error: o.error } : {}) },
    }));
    if (events.length) await recordAudit(events);
    return outcomes;
  }

  async function terminate(accountId: string, reason: string): Promise<Termination> {
    await ready();
    const now = clock.now();
    const removed = await db.transaction().execute(async (trx) => {
      const rows = await deleteAllOf(trx, accountId);
      const sessions = liveSessions(rows, now);
      await deps.audit.append(trx, {
        actor: { kind: 'system', id: 'oidc' },
        action: 'oidc.sessions.end_all',
        subject: { kind: 'account', id: accountId },
        purpose: reason,
        outcome: 'success',
        detail: { reason, sessions, rows: rows.length },
      });
      return rows;
    });
    const sessions = liveSessions(removed, now);
    log.info({ account: accountId, reason, removed: removed.length }, 'ended every session and grant of an account');
    const backchannel = await backchannelLogout(accountId, logoutTargets(removed, now));
    return { accountId, reason, sessions, removed: removed.length, backchannel };
  }

  function sidsByClient(
    sessions: { authorizations: Record<string, { sid?: string }> }[],
    only?: string,
  ): Map<string, Set<string>> {
    const targets = new Map<string, Set<string>>();
    for (const s of sessions) {
      for (const [clientId, auth] of Object.entries(s.authorizations)) {
        if (only && clientId !== only) continue;
        if (!auth.sid) continue;
        const set = targets.get(clientId) ?? new Set<string>();
        set.add(auth.sid);
        targets.set(clientId, set);
      }
    }
    return targets;
  }

  return {
    ready,
    provider,
    clients,
    reloadIfKeysChanged,

    async rotateKeys(actor) {
      const staged = await stageNextKeys(db, secrets, clock.now(), policy);
      await deps.audit.append(db, {
        actor,
        action: 'oidc.keys.rotate',
        outcome: 'success',
        detail: { staged: staged.map((k) => ({ kid: k.kid, alg: k.alg, activate_after: k.activateAfter })) },
      });
      await reloadIfKeysChanged();
      return staged;
    },

    async advanceKeys() {
      const step = await advanceKeys(db, secrets, clock.now(), policy);
      if (step.promoted.length || step.removed.length || step.staged.length) {
        await deps.audit.append(db, {
          actor: { kind: 'system', id: 'oidc-keys' },
          action: 'oidc.keys.advance',
          outcome: 'success',
          detail: { ...step },
        });
      }
      await reloadIfKeysChanged();
      return step;
    },

    listKeys: () => listKeys(db),

    purgeExpired: () => purgeRows(db, clock.now()),

    sessions: {
      terminate,
      async endAll(accountId, reason) {
        await terminate(accountId, reason);
      },
    },

    async consentsOf(accountId) {
      const now = clock.now();
      const grants = await grantsOf(db, accountId, now);
      const byClient = new Map<string, typeof grants>();
      for (const g of grants) byClient.set(g.client_id, [...(byClient.get(g.client_id) ?? []), g]);
      const out: Consent[] = [];
      for (const [clientId, list] of byClient) {
        const client = await clients.get(clientId);
        // The platform's own front ends hold grants but take no consent.
        if (!client || client.first_party) continue;
        const scopes = [...new Set(list.flatMap((g) => g.scope.split(' ').filter(Boolean)))];
        out.push({
          client_id: clientId,
          client_name: client.name_vi,
          client_name_en: client.name_en,
          kind: client.kind,
          scopes,
          claims: claimsReleased(scopes, client.kind),
          granted_at: list[list.length - 1]!.created_at,
          grants: list.length,
        });
      }
      return out.sort((a, b) => b.granted_at.getTime() - a.granted_at.getTime());
    },

    async revokeConsent(accountId, clientId, actor) {
      await ready();
      const now = clock.now();
      const grants = await grantsOf(db, accountId, now, clientId);
      if (grants.length === 0) throw oidcProblem('CONSENT_NOT_FOUND', { clientId });
      const sessions = await sessionsOf(db, accountId, now);
      await db.transaction().execute(async (trx) => {
        const rows = await deleteGrants(
          trx,
          grants.map((g) => g.id),
        );
        await deps.audit.append(trx, {
          actor,
          action: 'oidc.consent.revoke',
          subject: { kind: 'account', id: accountId },
          outcome: 'success',
          detail: { client_id: clientId, grants: grants.length, rows },
        });
      });
      await backchannelLogout(accountId, sidsByClient(sessions, clientId));
    },
  };
}
