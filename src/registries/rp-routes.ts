import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AuditService } from '../audit/service.ts';
import type { AuthService } from '../auth/service.ts';
import { CLIENT_EXTRA } from '../oidc/clients.ts';
import type { Oidc } from '../oidc/service.ts';
import { defineProblems } from '../platform/errors.ts';
import type { Platform } from '../platform/context.ts';
import { normalisePhone } from './model.ts';
import type { NationalRegistries } from './ports.ts';

/**
 * The national databases a *state* relying party may ask about, and only with a yes or no: today
 * the National Public Service Portal's check, when a citizen opens a portal account (seed 004),
 * that the PIN, name and date of birth match the population database and that the phone is
 * registered in that citizen's name in the mobile-subscriber registry (thuê bao chính chủ).
 *
 * Authentication: HTTP Basic with the relying party's client id and secret (RFC 6749 §2.3.1, as
 * at the token endpoint); only an active state relying party allowed the `pin` scope passes.
 * Nothing of the registry is returned but the two booleans; every call, allowed or refused, is
 * in the audit ledger under the relying party's name.
 *
 * Register it in http/server.ts with `await app.register(registryRpRoutes(platform, services));`.
 */
export const rpRegistryProblem = defineProblems({
  RP_CLIENT_UNAUTHENTICATED: {
    status: 401,
    vi: 'Bên sử dụng dịch vụ chưa được xác thực (client_id và client_secret theo HTTP Basic).',
    en: 'The relying party is not authenticated (client_id and client_secret with HTTP Basic).',
  },
  RP_CLIENT_NOT_ALLOWED: {
    status: 403,
    vi: 'Chỉ bên sử dụng dịch vụ là cơ quan nhà nước được cấp phạm vi pin mới được tra cứu.',
    en: 'Only a state relying party allowed the pin scope may ask.',
  },
});

/**
 * Checks per relying party and minute: ample for account registrations at a national portal, and a
 * stop to a leaked secret used to sweep PINs and phone numbers.
 */
export const CITIZEN_CHECK_RATE = { max: 600, windowMs: 60_000, lockMs: 60_000 } as const;

const sha = (s: string) => createHash('sha256').update(s).digest();

/** `Basic base64(urlencode(id):urlencode(secret))`, or undefined. */
export function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i <= 0) return undefined;
  try {
    return { id: decodeURIComponent(decoded.slice(0, i)), secret: decodeURIComponent(decoded.slice(i + 1)) };
  } catch {
    return undefined;
  }
}

/** Same name: NFC, case and runs of spaces ignored (diacritics count: "Lan" is not "Lân"). */
function sameName(a: string, b: string): boolean {
  const n = (s: string) => s.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('vi');
  return n(a) === n(b);
}

export function registryRpRoutes(
  platform: Platform,
  services: { oidc: Oidc; registries: NationalRegistries; audit: AuditService; auth: Pick<AuthService, 'limitRate'> },
): FastifyPluginAsync {
  const { oidc, registries, audit, auth } = services;

  async function authenticate(request: FastifyRequest): Promise<string> {
    const credentials = basicCredentials(request.headers.authorization);
    const metadata = credentials ? await oidc.clients.metadata(credentials.id) : undefined;
    const secret = typeof metadata?.client_secret === 'string' ? metadata.client_secret : undefined;
    if (!credentials || !secret || !timingSafeEqual(sha(secret), sha(credentials.secret))) {
      await audit.append(platform.db, {
        actor: { kind: 'client', id: credentials?.id.slice(0, 64) ?? 'unknown' },
        action: 'registries.rp.authenticate',
        outcome: 'denied',
      });
      throw rpRegistryProblem('RP_CLIENT_UNAUTHENTICATED');
    }
    const scopes = String(metadata!.scope ?? '').split(' ');
    if (metadata![CLIENT_EXTRA.kind] !== 'state' || !scopes.includes('pin')) {
      await audit.append(platform.db, {
        actor: { kind: 'client', id: credentials.id },
        action: 'registries.rp.citizen_check',
        outcome: 'denied',
      });
      throw rpRegistryProblem('RP_CLIENT_NOT_ALLOWED');
    }
    return credentials.id;
  }

  return async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    app.post(
      '/api/v1/rp/registries/citizen-check',
      {
        schema: {
          tags: ['relying parties'],
          summary:
            "Does a citizen's identity match, and is the phone registered in their name? (state relying parties)",
          description:
            'HTTP Basic with the client id and secret. Answers two booleans and nothing else of the registries; ' +
            'each call is audited under the relying party.',
          body: Type.Object(
            {
              pin: Type.String({ pattern: '^[0-9]{12}$' }),
              full_name: Type.String({ minLength: 1, maxLength: 200 }),
              birthdate: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' }),
              phone: Type.String({ minLength: 9, maxLength: 20 }),
              purpose: Type.Optional(Type.String({ maxLength: 200 })),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              identity_matches: Type.Boolean({
                description: 'The PIN belongs to a living citizen with this full name and date of birth',
              }),
              phone_registered_to_citizen: Type.Boolean({
                description:
                  "The phone is registered in that citizen's name (always false when the identity does not match)",
              }),
            }),
            400: { $ref: 'Problem' },
            401: { $ref: 'Problem' },
            403: { $ref: 'Problem' },
            429: { $ref: 'Problem' },
          },
        },
      },
      async (request, reply) => {
        let clientId: string;
        try {
          clientId = await authenticate(request);
        } catch (error) {
          reply.header('www-authenticate', 'Basic realm="dinhdanh"');
          throw error;
        }
        await auth.limitRate(`rp-citizen-check:${clientId}`, CITIZEN_CHECK_RATE);
        const { pin, full_name, birthdate, phone, purpose } = request.body;
        const citizen = await registries.identity.findByPin(pin);
        const identityMatches =
          citizen !== null &&
          citizen.dateOfDeath === null &&
          citizen.dateOfBirth === birthdate &&
          sameName(citizen.fullName, full_name);
        const national = normalisePhone(phone);
        const owner = identityMatches && national ? (await registries.subscribers.ownerOf(national))?.owner : undefined;
        const phoneOwned = owner?.kind === 'citizen' && owner.registryId === citizen!.registryId;
        await audit.append(platform.db, {
          actor: { kind: 'client', id: clientId },
          action: 'registries.rp.citizen_check',
          subject: citizen && identityMatches ? { kind: 'citizen', id: citizen.registryId } : undefined,
          purpose: purpose ?? 'portal account registration',
          outcome: 'success',
          detail: { identity_matches: identityMatches, phone_registered_to_citizen: phoneOwned },
        });
        return { identity_matches: identityMatches, phone_registered_to_citizen: phoneOwned };
      },
    );
  };
}
