import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Client, Interaction, InteractionResults } from 'oidc-provider';
import { lockedViewOpen } from '../auth/model.ts';
import { maskPhone, notActiveProblem, type Account } from '../identity/model.ts';
import { formatVnInstant } from '../notify/templates.ts';
import type { Platform } from '../platform/context.ts';
import { Problem, type Locale } from '../platform/errors.ts';
import type { Confirmation } from '../representation/model.ts';
import { maskName, outcomeOf, signInDetail } from './dependant.ts';
import { ACR, amrOf, claimsReleased, consentRule, levelOfAccount } from './model.ts';
import type {
  AuditPort,
  AuthPort,
  BackofficePort,
  ContactPhoneOf,
  IdentityPort,
  LoginContext,
  RepresentationPort,
} from './ports.ts';
import {
  clientDisplayName,
  clientFlag,
  clientKind,
  grantTtl,
  levelRequiredBy,
  lockedViewRequested,
} from './provider.ts';
import { advanceFlow, createFlow, deleteFlow, findFlow, type LoginFlow } from './repository.ts';
import type { Oidc } from './service.ts';
import { escapeHtml } from '../platform/html.ts';
import { LANG_COOKIE, PAGE_HEADERS, claimLabels, page, parseCookies, pickLocale, t, type MessageKey } from './views.ts';

/**
 * The login interaction (oidc-provider hands the browser to `/interaction/:uid` whenever a person
 * must sign in or consent): server-rendered pages, one step each, Post/Redirect/Get.
 *
 *   identifier (PIN, or passport number) → password → one-time code → (representative) → (consent) → back to the provider
 *
 * A dependant (a child under 14, a ward, a represented person: an account with a live
 * representation link) has no phone of its own: its code goes to the representative's phone
 * (DOMAIN.md §4), and it is signed in only once the representative confirmed in the app (Decree
 * 69/2024 Art 10.1(b); DOMAIN.md §5). The request's id stays in the flow's row, bound to the
 * interaction and the account (dependant.ts).
 *
 * A locked account (DOMAIN.md §6; Law on Identification Arts 31–34) is refused after its password,
 * before any code is sent, with the message that it is locked and can still be unlocked. Except
 * for the citizen app asking for its locked view (scope api:app:locked): locking must never make
 * unlocking impossible, so the holder proves who they are (password, SMS code) and is signed in to
 * a view that only files an unlock request and reads notices (provider.ts gives it a grant with
 * that scope only). Death has no unlock and no locked view.
 *
 * The one-time code is an SMS code (auth.startOtp / verifyOtp) or, for the officer console, a TOTP
 * code (auth.verifyTotp). The flow's progress is a row in `oidc.login_flows` keyed by the
 * interaction uid; every POST must carry the flow's anti-forgery token and come with the
 * provider's interaction cookie for the same uid. Problems from the auth service (wrong password,
 * lockout with its end, wrong code…) are shown on the page with their status, never as a 500.
 */
export interface InteractionDeps {
  platform: Platform;
  oidc: Oidc;
  identity: IdentityPort;
  auth: AuthPort;
  backoffice: BackofficePort;
  audit: AuditPort;
  representation: RepresentationPort;
  contactPhoneOf: ContactPhoneOf;
}

interface Loaded {
  uid: string;
  locale: Locale;
  details: Interaction;
  client: Client;
  flow: LoginFlow;
}

type Body = Record<string, string | undefined>;

const IDENTIFIER = /^(\d{12}|([A-Z]{3}[:/])?[A-Z0-9]{5,20})$/;

function maskIdentifier(identifier: string): string {
  if (identifier.length <= 6) return identifier;
  return `${identifier.slice(0, 3)}${'•'.repeat(identifier.length - 6)}${identifier.slice(-3)}`;
}

function sameToken(expected: string, presented: string | undefined): boolean {
  if (!presented) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function interactionRoutes(deps: InteractionDeps): FastifyPluginAsync {
  const { platform, oidc, identity, auth, backoffice, audit, representation, contactPhoneOf } = deps;
  const { db, clock, secrets, log } = platform;

  function localeOf(request: FastifyRequest, details?: Interaction): Locale {
    const query = request.query as Record<string, string | undefined>;
    return pickLocale(
      query.lang,
      parseCookies(request.headers.cookie)[LANG_COOKIE],
      typeof details?.params.ui_locales === 'string' ? details.params.ui_locales : undefined,
    );
  }

  function send(reply: FastifyReply, status: number, html: string): FastifyReply {
    return reply.code(status).headers(PAGE_HEADERS).send(html);
  }

  function errorPage(reply: FastifyReply, locale: Locale, status: number, message: string): FastifyReply {
    return send(reply, status, page({ locale, title: t(locale, 'title_error'), errors: [message], body: '' }));
  }

  function loginContext(request: FastifyRequest, locale: Locale): LoginContext {
    const ua = request.headers['user-agent'];
    return { ip: request.ip, locale, ...(typeof ua === 'string' ? { userAgent: ua } : {}) };
  }

  /** The interaction of this request, checked against the uid in the URL; or the page to show. */
  async function load(request: FastifyRequest, reply: FastifyReply): Promise<Loaded | FastifyReply> {
    const { uid } = request.params as { uid: string };
    await oidc.ready();
    let details: Interaction;
    try {
      details = await oidc.provider().interactionDetails(request.raw, reply.raw);
    } catch {
      return errorPage(reply, localeOf(request), 400, t(localeOf(request), 'expired'));
    }
    const locale = localeOf(request, details);
    // The interaction cookie names the interaction; the URL must name the same one.
    if (details.uid !== uid) return errorPage(reply, locale, 400, t(locale, 'expired'));
    const client = await oidc.provider().Client.find(String(details.params.client_id));
    if (!client) return errorPage(reply, locale, 400, t(locale, 'expired'));
    const now = clock.now();
    const flow =
      (await findFlow(db, uid, now)) ??
      (await createFlow(db, {
        uid,
        csrf: randomBytes(24).toString('base64url'),
        step: details.prompt.name === 'consent' ? 'consent' : 'identifier',
        identifier_sealed: null,
        account_id: null,
        challenge_id: null,
        masked_phone: null,
        second_factor: null,
        code_to_representative: false,
        confirmation_id: null,
        created_at: now,
        expires_at: new Date(details.exp * 1000),
      }));
    return { uid, locale, details, client, flow };
  }

  async function finish(request: FastifyRequest, reply: FastifyReply, result: InteractionResults) {
    const returnTo = await oidc
      .provider()
      .interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: false });
    return reply.code(303).header('location', returnTo).header('cache-control', 'no-store').send();
  }

  /** Whether this sign-in may end in the citizen app's locked view (the request asks for it). */
  function asksLockedView(l: Loaded): boolean {
    return lockedViewRequested(l.client, l.details.params);
  }

  function unmet(locale: Locale): InteractionResults {
    return { error: 'unmet_authentication_requirements', error_description: t(locale, 'unmet_level') };
  }

  // --- pages ---------------------------------------------------------------------------------

  function hidden(flow: LoginFlow): string {
    return `<input type="hidden" name="csrf" value="${escapeHtml(flow.csrf)}">`;
  }

  function cancelForm(l: Loaded): string {
    return `<form method="post" action="/interaction/${escapeHtml(l.uid)}/abort">${hidden(l.flow)}
<button type="submit" class="secondary">${escapeHtml(t(l.locale, 'cancel'))}</button></form>`;
  }

  function switchHref(l: Loaded): string {
    return `/interaction/${l.uid}?lang=${l.locale === 'vi' ? 'en' : 'vi'}`;
  }

  function renderLogin(
    reply: FastifyReply,
    l: Loaded,
    options: { status?: number; errors?: string[]; notice?: MessageKey } = {},
  ): FastifyReply {
    const { locale, flow, client, uid } = l;
    const action = (what: string) => `/interaction/${escapeHtml(uid)}/${what}`;
    const invalid = options.errors?.length ? ' aria-invalid="true" aria-describedby="error-summary"' : '';
    const intro = `<p>${escapeHtml(t(locale, 'asks_sign_in', { client: clientDisplayName(client, locale) }))}</p>${
      clientFlag(client, 'officerConsole') ? `<p class="notice">${escapeHtml(t(locale, 'officer_console'))}</p>` : ''
    }`;
    const notice = options.notice ? `<p class="notice" role="status">${escapeHtml(t(locale, options.notice))}</p>` : '';
    let body: string;
    let title = t(locale, 'title_login');
    if (flow.step === 'identifier') {
      body = `${intro}<form method="post" action="${action('identifier')}" novalidate>${hidden(flow)}
<label for="identifier">${escapeHtml(t(locale, 'identifier_label'))}</label>
<p class="hint" id="identifier-hint">${escapeHtml(t(locale, 'identifier_hint'))}</p>
<input type="text" id="identifier" name="identifier" autocomplete="username" autocapitalize="characters" spellcheck="false" required autofocus aria-describedby="identifier-hint"${invalid}>
<button type="submit">${escapeHtml(t(locale, 'continue'))}</button></form>`;
    } else if (flow.step === 'password') {
      const identifier = flow.identifier_sealed
        ? secrets.open(flow.identifier_sealed, `oidc-flow:${uid}`).toString('utf8')
        : '';
      body = `${intro}<p>${escapeHtml(t(locale, 'signing_in_as', { identifier: maskIdentifier(identifier) }))}</p>
<form method="post" action="${action('password')}" novalidate>${hidden(flow)}
<label for="password">${escapeHtml(t(locale, 'password_label'))}</label>
<input type="password" id="password" name="password" autocomplete="current-password" required autofocus${invalid}>
<button type="submit">${escapeHtml(t(locale, 'sign_in'))}</button></form>
<form method="post" action="${action('restart')}">${hidden(flow)}<button type="submit" class="secondary">${escapeHtml(t(locale, 'other_account'))}</button></form>`;
    } else {
      title = t(locale, 'title_otp');
      const sms = flow.second_factor === 'sms';
      const sent = flow.code_to_representative ? 'otp_sent_representative' : 'otp_sent';
      body = `${notice}<p>${escapeHtml(
        sms ? t(locale, sent, { phone: flow.masked_phone ?? '' }) : t(locale, 'totp_intro'),
      )}</p>
<form method="post" action="${action('otp')}" novalidate>${hidden(flow)}
<label for="code">${escapeHtml(t(locale, sms ? 'otp_label' : 'totp_label'))}</label>
<input type="text" id="code" name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code" required autofocus${invalid}>
<button type="submit">${escapeHtml(t(locale, 'confirm'))}</button></form>${
        sms
          ? `<form method="post" action="${action('resend')}">${hidden(flow)}<button type="submit" class="secondary">${escapeHtml(t(locale, 'otp_resend'))}</button></form>`
          : ''
      }`;
    }
    return send(
      reply,
      options.status ?? 200,
      page({
        locale,
        title,
        errors: options.errors ?? [],
        switchHref: switchHref(l),
        body: `${body}${cancelForm(l)}`,
      }),
    );
  }

  function consentScopes(details: Interaction): string[] {
    const missing = (details.prompt.details.missingOIDCScope as string[] | undefined) ?? [];
    return missing.filter((s) => s !== 'openid' && s !== 'offline_access');
  }

  function renderConsent(reply: FastifyReply, l: Loaded, status = 200, errors: string[] = []): FastifyReply {
    const { locale, client, details, flow, uid } = l;
    const kind = clientKind(client);
    const claims = [
      ...claimsReleased(consentScopes(details), kind),
      ...((details.prompt.details.missingOIDCClaims as string[] | undefined) ?? []),
    ];
    const labels = claimLabels(claims, locale);
    const name = clientDisplayName(client, locale);
    const list = labels.length
      ? `<p>${escapeHtml(t(locale, 'consent_intro', { client: name }))}</p><ul class="claims">${labels
          .map((label) => `<li>${escapeHtml(label)}</li>`)
          .join('')}</ul>`
      : `<p>${escapeHtml(t(locale, 'consent_only_identity', { client: name }))}</p>`;
    const note =
      consentRule({ kind, firstParty: clientFlag(client, 'firstParty') }) === 'every_time'
        ? 'consent_private'
        : 'consent_state';
    return send(
      reply,
      status,
      page({
        locale,
        title: t(locale, 'title_consent'),
        errors,
        switchHref: switchHref(l),
        body: `${list}<p class="notice">${escapeHtml(t(locale, note))}</p><p>${escapeHtml(t(locale, 'consent_record'))}</p>
<form method="post" action="/interaction/${escapeHtml(uid)}/consent">${hidden(flow)}
<button type="submit" name="decision" value="allow">${escapeHtml(t(locale, 'allow'))}</button>
<button type="submit" name="decision" value="deny" class="secondary">${escapeHtml(t(locale, 'deny'))}</button></form>`,
      }),
    );
  }

  // --- a dependant's sign-in (Decree 69/2024 Art 10.1(b); DOMAIN.md §5) ------------------------

  function backToStep(reply: FastifyReply, l: Loaded): FastifyReply {
    return reply.code(303).header('location', `/interaction/${l.uid}`).send();
  }

  function bindingOf(l: Loaded) {
    return { uid: l.uid, clientId: l.client.clientId, accountId: l.flow.account_id ?? '' };
  }

  /** The wait ends with the request, or with the interaction if that comes first. */
  function deadlineOf(l: Loaded, c: Confirmation): Date {
    return c.expiresAt < l.flow.expires_at ? c.expiresAt : l.flow.expires_at;
  }

  /** Whom the request went to, masked: enough for the dependant to know whom to ask. */
  async function askedWhom(locale: Locale, c: Confirmation): Promise<string> {
    const representative = await identity.get(c.representativeAccountId);
    const name = maskName(representative?.fullName ?? '');
    return representative?.phone
      ? t(locale, 'representative_sent_to_phone', { name, phone: maskPhone(representative.phone) })
      : t(locale, 'representative_sent_to', { name });
  }

  /** The page a dependant waits on while the representative answers in the app. */
  async function renderWaiting(
    reply: FastifyReply,
    l: Loaded,
    c: Confirmation,
    notice?: MessageKey,
  ): Promise<FastifyReply> {
    const { locale, flow, client, uid } = l;
    const status = notice ? `<p class="notice" role="status">${escapeHtml(t(locale, notice))}</p>` : '';
    const time = formatVnInstant(deadlineOf(l, c).toISOString(), locale);
    const body = `${status}<p>${escapeHtml(t(locale, 'representative_intro', { client: clientDisplayName(client, locale) }))}</p>
<p>${escapeHtml(await askedWhom(locale, c))}</p>
<p>${escapeHtml(t(locale, 'representative_deadline', { time }))}</p>
<form method="post" action="/interaction/${escapeHtml(uid)}/confirmation">${hidden(flow)}
<button type="submit">${escapeHtml(t(locale, 'representative_continue'))}</button></form>`;
    const title = t(locale, 'title_representative');
    return send(reply, 200, page({ locale, title, switchHref: switchHref(l), body: `${body}${cancelForm(l)}` }));
  }

  /** The request expired unanswered: say so, and offer to sign in again (a new request). */
  function renderExpired(reply: FastifyReply, l: Loaded): FastifyReply {
    const { locale, flow, uid } = l;
    const body = `<form method="post" action="/interaction/${escapeHtml(uid)}/restart">${hidden(flow)}
<button type="submit">${escapeHtml(t(locale, 'sign_in_again'))}</button></form>${cancelForm(l)}`;
    return send(
      reply,
      409,
      page({
        locale,
        title: t(locale, 'title_representative'),
        errors: [t(locale, 'representative_expired')],
        switchHref: switchHref(l),
        body,
      }),
    );
  }

  /**
   * Ends the interaction with an error for the relying party and tells the person why: the link
   * takes them back to the service, which receives the error.
   */
  async function endWithPage(
    request: FastifyRequest,
    reply: FastifyReply,
    l: Loaded,
    message: string,
    result: InteractionResults,
  ): Promise<FastifyReply> {
    const returnTo = await oidc
      .provider()
      .interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: false });
    const body = `<p><a href="${escapeHtml(returnTo)}">${escapeHtml(t(l.locale, 'back_to_service'))}</a></p>`;
    return send(reply, 403, page({ locale: l.locale, title: t(l.locale, 'title_error'), errors: [message], body }));
  }

  /** Shows a problem from the auth service on the current step, with its status. */
  function problemOnPage(reply: FastifyReply, l: Loaded, error: unknown, render = renderLogin): FastifyReply {
    if (!(error instanceof Problem)) throw error;
    if (error.status === 429 && error.params.retryAfter !== undefined) {
      reply.header('retry-after', String(error.params.retryAfter));
    }
    return render(reply, l, { status: error.status, errors: [error.messageIn(l.locale)] });
  }

  async function record(
    accountId: string | null,
    action: string,
    outcome: 'success' | 'failure' | 'denied',
    client: Client,
    detail: Record<string, unknown> = {},
  ) {
    await audit.append(db, {
      actor: accountId ? { kind: 'account', id: accountId } : { kind: 'client', id: client.clientId },
      action,
      ...(accountId ? { subject: { kind: 'account', id: accountId } } : {}),
      outcome,
      detail: { client_id: client.clientId, client_name: client.clientName, ...detail },
    });
  }

  /**
   * Sends the login code. A dependant has no phone of its own: the code goes to the
   * representative's phone (DOMAIN.md §4: dependants use the representative's phone), and the
   * code page says so.
   */
  async function startLoginOtp(account: Account, ctx: LoginContext, lockedView: boolean) {
    const representativePhone = account.phone ? null : await contactPhoneOf(account);
    const otp = await auth.startOtp(account.id, 'login', ctx, {
      ...(representativePhone ? { phone: representativePhone } : {}),
      // Only the citizen app's locked view sends a code to a locked account (DOMAIN.md §6).
      allowLocked: lockedView,
    });
    return {
      challenge_id: otp.challengeId,
      masked_phone: otp.maskedPhone,
      code_to_representative: representativePhone !== null,
    };
  }

  /** The provider's login result for an account that proved itself (the flow is already gone). */
  async function signIn(
    request: FastifyRequest,
    reply: FastifyReply,
    l: Loaded,
    account: Account,
    secondFactor: 'sms' | 'totp',
    detail: Record<string, unknown> = {},
  ) {
    // The account as it is now (a dependant may have been locked while waiting for the
    // representative): DOMAIN.md §6, no new login while locked, but for the locked view asked for.
    const lockedView = account.status === 'locked' && asksLockedView(l) && lockedViewOpen(account);
    if (account.status !== 'active' && !lockedView) {
      await record(account.id, 'oidc.login.not_active', 'denied', l.client, { status: account.status });
      return endWithPage(request, reply, l, notActiveProblem(account.status, account.lockReasons).messageIn(l.locale), {
        error: 'access_denied',
        error_description: 'The account is not active',
      });
    }
    const level = levelOfAccount(account);
    const amr = amrOf(secondFactor);
    await record(account.id, 'oidc.login.success', 'success', l.client, {
      acr: ACR[level],
      amr,
      level,
      ...(lockedView ? { locked_view: true } : {}),
      ...detail,
    });
    // A transient session cookie: closing the browser signs out (shared devices).
    return finish(request, reply, { login: { accountId: account.id, acr: ACR[level], amr, remember: false } });
  }

  /**
   * Decree 69/2024 Art 10.1(b), DOMAIN.md §5: a dependant's account acts only with the
   * representative's confirmation in the app. The request (action sign_in, naming the relying party
   * and this interaction) and the flow's move to the waiting step are one transaction: the id lives
   * in the flow's row only.
   */
  async function askRepresentative(request: FastifyRequest, reply: FastifyReply, l: Loaded, account: Account) {
    const names = { vi: clientDisplayName(l.client, 'vi'), en: clientDisplayName(l.client, 'en') };
    let confirmation: Confirmation;
    try {
      confirmation = await db.transaction().execute(async (trx) => {
        const asked = await representation.requestConfirmation(trx, {
          dependantAccountId: account.id,
          action: 'sign_in',
          detail: signInDetail({ uid: l.uid, clientId: l.client.clientId }, names),
          actor: { kind: 'account', id: account.id },
        });
        await advanceFlow(trx, l.uid, 'otp', { step: 'confirmation', confirmation_id: asked.id });
        return asked;
      });
    } catch (error) {
      // The representation ended meanwhile (a 14th birthday): nothing to wait for, sign in again.
      if (!(error instanceof Problem)) throw error;
      await deleteFlow(db, l.uid);
      return errorPage(reply, l.locale, error.status, error.messageIn(l.locale));
    }
    await record(account.id, 'oidc.login.representative_asked', 'success', l.client, {
      confirmation_id: confirmation.id,
      representative_account_id: confirmation.representativeAccountId,
    });
    return backToStep(reply, l);
  }

  /** The representative confirmed: the dependant is signed in, once (two presses at once: one wins). */
  async function signInConfirmed(request: FastifyRequest, reply: FastifyReply, l: Loaded, c: Confirmation) {
    const claimed = await advanceFlow(db, l.uid, 'confirmation', { step: 'done' });
    const account = claimed?.second_factor ? await identity.get(c.dependantAccountId) : undefined;
    await deleteFlow(db, l.uid);
    if (!claimed?.second_factor || !account) return errorPage(reply, l.locale, 400, t(l.locale, 'expired'));
    return signIn(request, reply, l, account, claimed.second_factor, {
      representative_confirmed: true,
      confirmation_id: c.id,
      representative_account_id: c.representativeAccountId,
    });
  }

  /**
   * "Continue" on the waiting page: the status of the request named by the flow's row (never by
   * the browser) decides. Refused, or a request that is not this sign-in's: the relying party gets
   * access_denied.
   */
  async function checkConfirmation(request: FastifyRequest, reply: FastifyReply, l: Loaded) {
    const { flow } = l;
    if (flow.step !== 'confirmation' || !flow.account_id || !flow.confirmation_id) return backToStep(reply, l);
    const checked = outcomeOf(await representation.confirmationOf(flow.confirmation_id), bindingOf(l));
    const detail = { confirmation_id: flow.confirmation_id };
    switch (checked.status) {
      case 'pending':
        return renderWaiting(reply, l, checked.confirmation, 'representative_pending');
      case 'confirmed':
        return signInConfirmed(request, reply, l, checked.confirmation);
      case 'expired':
        await record(flow.account_id, 'oidc.login.representative_expired', 'denied', l.client, detail);
        return renderExpired(reply, l);
      case 'refused':
        await deleteFlow(db, l.uid);
        await record(flow.account_id, 'oidc.login.representative_refused', 'denied', l.client, detail);
        return endWithPage(
          request,
          reply,
          l,
          t(l.locale, 'representative_refused', { client: clientDisplayName(l.client, l.locale) }),
          { error: 'access_denied', error_description: 'The representative refused the sign-in' },
        );
      case 'foreign':
        await deleteFlow(db, l.uid);
        await record(flow.account_id, 'oidc.login.representative_mismatch', 'denied', l.client, detail);
        return endWithPage(request, reply, l, t(l.locale, 'representative_mismatch'), {
          error: 'access_denied',
          error_description: 'The confirmation does not belong to this sign-in',
        });
    }
  }

  /** The waiting page as a GET shows it (a reload, the language switch): nothing changes here. */
  async function showWaiting(reply: FastifyReply, l: Loaded) {
    const checked = l.flow.confirmation_id
      ? outcomeOf(await representation.confirmationOf(l.flow.confirmation_id), bindingOf(l))
      : ({ status: 'foreign' } as const);
    if (checked.status === 'foreign') return errorPage(reply, l.locale, 400, t(l.locale, 'expired'));
    if (checked.status === 'expired') return renderExpired(reply, l);
    return renderWaiting(reply, l, checked.confirmation);
  }

  // --- steps ---------------------------------------------------------------------------------

  async function show(request: FastifyRequest, reply: FastifyReply) {
    const loaded = await load(request, reply);
    if (!('flow' in loaded)) return loaded;
    const l = loaded;
    const query = request.query as Record<string, string | undefined>;
    if (query.lang === 'en' || query.lang === 'vi') {
      reply.header('set-cookie', `${LANG_COOKIE}=${query.lang}; Path=/; Max-Age=31536000; SameSite=Lax`);
    }
    if (l.details.prompt.name === 'consent') return renderConsent(reply, l);
    if (l.details.prompt.name !== 'login') return errorPage(reply, l.locale, 400, t(l.locale, 'expired'));
    if (l.flow.step === 'confirmation') return showWaiting(reply, l);
    // A subject already signed in whose account cannot reach the level asked for: re-entering the
    // password would not change that. Say so now (the account is known: nothing is disclosed).
    const sessionAccount = l.details.session?.accountId;
    if (sessionAccount && l.flow.step === 'identifier') {
      const account = await identity.get(sessionAccount);
      if (account && levelOfAccount(account) < levelRequiredBy(l.details.params, l.client)) {
        await record(account.id, 'oidc.login.level_unmet', 'denied', l.client, {
          level: levelOfAccount(account),
          required: levelRequiredBy(l.details.params, l.client),
        });
        await deleteFlow(db, l.uid);
        return finish(request, reply, unmet(l.locale));
      }
    }
    return renderLogin(reply, l);
  }

  async function act(request: FastifyRequest, reply: FastifyReply) {
    const loaded = await load(request, reply);
    if (!('flow' in loaded)) return loaded;
    const l = loaded;
    const { action } = request.params as { action: string };
    const body = (request.body ?? {}) as Body;
    if (!sameToken(l.flow.csrf, body.csrf)) return errorPage(reply, l.locale, 403, t(l.locale, 'forged'));
    const again = () => reply.code(303).header('location', `/interaction/${l.uid}`).send();
    const ctx = loginContext(request, l.locale);

    switch (action) {
      case 'abort': {
        // A sign-in waiting on the representative: cancelling it withdraws the request too.
        if (l.flow.confirmation_id && l.flow.account_id) {
          await representation.withdraw(l.flow.confirmation_id, l.flow.account_id);
        }
        await deleteFlow(db, l.uid);
        return finish(request, reply, { error: 'access_denied', error_description: 'End-User cancelled the sign-in' });
      }

      case 'restart': {
        await db
          .updateTable('oidc.login_flows')
          .set({
            step: 'identifier',
            identifier_sealed: null,
            account_id: null,
            challenge_id: null,
            masked_phone: null,
            second_factor: null,
            code_to_representative: false,
            confirmation_id: null,
          })
          .where('uid', '=', l.uid)
          .where('step', 'in', ['password', 'otp', 'confirmation'])
          .execute();
        return again();
      }

      case 'identifier': {
        if (l.flow.step !== 'identifier') return again();
        const identifier = (body.identifier ?? '').trim().toUpperCase().replace(/\s+/g, '');
        if (!IDENTIFIER.test(identifier)) {
          return renderLogin(reply, l, { status: 400, errors: [t(l.locale, 'identifier_invalid')] });
        }
        await advanceFlow(db, l.uid, 'identifier', {
          step: 'password',
          identifier_sealed: secrets.seal(identifier, `oidc-flow:${l.uid}`),
        });
        return again();
      }

      case 'password': {
        if (l.flow.step !== 'password' || !l.flow.identifier_sealed) return again();
        const password = body.password ?? '';
        if (password === '') return renderLogin(reply, l, { status: 400, errors: [t(l.locale, 'password_required')] });
        const identifier = secrets.open(l.flow.identifier_sealed, `oidc-flow:${l.uid}`).toString('utf8');
        let account: Account;
        try {
          // A locked account passes here only for the citizen app's locked view (DOMAIN.md §6).
          account = await auth.checkPassword(identifier, password, ctx, { allowLocked: asksLockedView(l) });
        } catch (error) {
          return problemOnPage(reply, l, error);
        }
        const accountId = account.id;
        if (clientFlag(l.client, 'officerConsole')) {
          // The officer console: officers only, with their authenticator app.
          if ((await backoffice.assignmentsOf(accountId)).length === 0) {
            await record(accountId, 'oidc.login.not_officer', 'denied', l.client);
            return renderLogin(reply, l, { status: 403, errors: [t(l.locale, 'not_officer')] });
          }
          await advanceFlow(db, l.uid, 'password', { step: 'otp', account_id: accountId, second_factor: 'totp' });
          return again();
        }
        try {
          const otp = await startLoginOtp(account, ctx, asksLockedView(l));
          await advanceFlow(db, l.uid, 'password', {
            step: 'otp',
            account_id: accountId,
            second_factor: 'sms',
            ...otp,
          });
        } catch (error) {
          return problemOnPage(reply, l, error);
        }
        return again();
      }

      case 'resend': {
        if (l.flow.step !== 'otp' || l.flow.second_factor !== 'sms' || !l.flow.account_id) return again();
        const account = await identity.get(l.flow.account_id);
        if (!account) return errorPage(reply, l.locale, 400, t(l.locale, 'expired'));
        try {
          const flow = await advanceFlow(db, l.uid, 'otp', await startLoginOtp(account, ctx, asksLockedView(l)));
          return renderLogin(reply, { ...l, flow: flow ?? l.flow }, { notice: 'otp_resent' });
        } catch (error) {
          return problemOnPage(reply, l, error);
        }
      }

      case 'otp': {
        if (l.flow.step !== 'otp' || !l.flow.account_id || !l.flow.second_factor) return again();
        const code = (body.code ?? '').replace(/\s+/g, '');
        if (!/^\d{6}$/.test(code)) {
          return renderLogin(reply, l, { status: 400, errors: [t(l.locale, 'otp_invalid_format')] });
        }
        const accountId = l.flow.account_id;
        try {
          if (l.flow.second_factor === 'sms') {
            await auth.verifyOtp(l.flow.challenge_id ?? '', accountId, code, ctx, {
              purpose: 'login',
              allowLocked: asksLockedView(l),
            });
          } else await auth.verifyTotp(accountId, code, ctx);
        } catch (error) {
          return problemOnPage(reply, l, error);
        }
        const account = await identity.get(accountId);
        if (!account) return errorPage(reply, l.locale, 400, t(l.locale, 'expired'));
        const reached = levelOfAccount(account);
        const required = levelRequiredBy(l.details.params, l.client);
        if (reached < required) {
          // A level-1 account asked for level 2: the relying party gets unmet_authentication_requirements
          // and the person is told how to upgrade at a counter (before any representative is bothered).
          await deleteFlow(db, l.uid);
          await record(accountId, 'oidc.login.level_unmet', 'denied', l.client, { level: reached, required });
          return finish(request, reply, unmet(l.locale));
        }
        // Decree 69/2024 Art 10.1(b), DOMAIN.md §5: a dependant waits for the representative.
        if ((await representation.representativesOf(accountId)).length > 0) {
          return askRepresentative(request, reply, l, account);
        }
        await deleteFlow(db, l.uid);
        return signIn(request, reply, l, account, l.flow.second_factor);
      }

      case 'confirmation':
        return checkConfirmation(request, reply, l);

      case 'consent': {
        if (l.details.prompt.name !== 'consent') return again();
        const accountId = l.details.session?.accountId;
        if (!accountId) return errorPage(reply, l.locale, 400, t(l.locale, 'expired'));
        const scopes = consentScopes(l.details);
        const claims = claimsReleased(scopes, clientKind(l.client));
        await deleteFlow(db, l.uid);
        if (body.decision !== 'allow') {
          await record(accountId, 'oidc.consent.denied', 'denied', l.client, { scopes });
          return finish(request, reply, { error: 'access_denied', error_description: 'End-User refused consent' });
        }
        const provider = oidc.provider();
        const grant =
          (l.details.grantId ? await provider.Grant.find(l.details.grantId) : undefined) ??
          new provider.Grant({ accountId, clientId: l.client.clientId });
        const missingScope = l.details.prompt.details.missingOIDCScope as string[] | undefined;
        const missingClaims = l.details.prompt.details.missingOIDCClaims as string[] | undefined;
        if (missingScope?.length) grant.addOIDCScope(missingScope.join(' '));
        if (missingClaims?.length) grant.addOIDCClaims(missingClaims);
        // Saved outside a provider request: the lifetime is set here from the client's kind.
        if (!grant.exp) (grant as unknown as { expiresIn?: number }).expiresIn = grantTtl(l.client);
        const grantId = await grant.save();
        await record(accountId, 'oidc.consent.granted', 'success', l.client, {
          kind: clientKind(l.client),
          scopes,
          claims: [...claims, ...(missingClaims ?? [])],
          grant_id: grantId,
        });
        return finish(request, reply, { consent: { grantId } });
      }

      default:
        return again();
    }
  }

  return async (app) => {
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 8 * 1024 },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    const guarded =
      (handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) =>
      async (request: FastifyRequest, reply: FastifyReply) => {
        try {
          return await handler(request, reply);
        } catch (error) {
          log.error({ err: error, reqId: request.id }, 'login interaction failed');
          const locale = localeOf(request);
          return errorPage(reply, locale, 500, t(locale, 'server_error', { ref: request.id }));
        }
      };
    app.get('/interaction/:uid', { schema: { hide: true } }, guarded(show));
    app.post('/interaction/:uid/:action', { schema: { hide: true } }, guarded(act));
  };
}
