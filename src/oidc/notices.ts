import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { NotifyService } from '../notify/service.ts';
import { platformProblem } from '../platform/errors.ts';
import { bearerGuard } from './guard.ts';
import type { BackofficePort, IdentityPort } from './ports.ts';
import type { Oidc } from './service.ts';

/**
 * The citizen app's notices (the account's inbox in the notification context): what the holder is
 * told, a lock and its ground first among them (DOMAIN.md §6: the holder is notified immediately of
 * every lock). Guarded with `allowLocked`: reading notices is one of the two things the locked view
 * does (locking must never make unlocking impossible, and the holder must be able to read why).
 */
export type NoticesPort = Pick<NotifyService, 'inbox' | 'unreadCount' | 'markRead'>;

export interface NoticeRouteDeps {
  oidc: Oidc;
  identity: IdentityPort;
  backoffice: BackofficePort;
  notify: NoticesPort;
}

/** An opaque page cursor: the last entry's instant and id. */
export function encodeCursor(next: { createdAt: Date; id: string }): string {
  return Buffer.from(`${next.createdAt.toISOString()}|${next.id}`, 'utf8').toString('base64url');
}

/** The cursor back, or a VALIDATION_FAILED Problem for anything this API did not hand out. */
export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [iso = '', id = ''] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso);
  if (Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/i.test(id)) {
    throw platformProblem('VALIDATION_FAILED', { reason: 'before is not a cursor from this API' }, { field: 'before' });
  }
  return { createdAt, id };
}

const Problem = { $ref: 'Problem' };
const problems = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, Problem]));

const Notice = Type.Object({
  id: Type.String({ format: 'uuid' }),
  template: Type.String(),
  title: Type.String(),
  body: Type.String(),
  read: Type.Boolean(),
  created_at: Type.String({ format: 'date-time' }),
});

export function noticeRoutes(deps: NoticeRouteDeps, security: { [scheme: string]: string[] }[]): FastifyPluginAsync {
  const { oidc, identity, backoffice, notify } = deps;
  return async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    // DOMAIN.md §6 (policy): the locked view reads notices.
    const holder = bearerGuard({ oidc, identity, backoffice }, { audience: 'app', allowLocked: true });

    app.get(
      '/api/v1/app/notices',
      {
        onRequest: holder,
        schema: {
          tags: ['app'],
          summary: 'My notices, newest first (also in the locked view)',
          description:
            'The in-app notices of the signed-in subject, a lock and its ground among them. Open to a locked ' +
            'identity signed in to the locked view (scope api:app:locked): DOMAIN.md §6.',
          security,
          querystring: Type.Object({
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
            before: Type.Optional(Type.String({ maxLength: 200, description: '`next` of the previous page' })),
            unread_only: Type.Optional(Type.Boolean()),
          }),
          response: {
            200: Type.Object({
              notices: Type.Array(Notice),
              unread: Type.Integer(),
              next: Type.Union([Type.String(), Type.Null()]),
            }),
            ...problems(400, 401, 403),
          },
        },
      },
      async (request) => {
        const accountId = request.bearer!.accountId;
        const { limit, before, unread_only } = request.query;
        const page = await notify.inbox(accountId, {
          ...(limit ? { limit } : {}),
          ...(before ? { before: decodeCursor(before) } : {}),
          unreadOnly: unread_only ?? false,
        });
        return {
          notices: page.items.map((n) => ({
            id: n.id,
            template: n.template,
            title: n.title,
            body: n.body,
            read: n.read_at !== null,
            created_at: n.created_at.toISOString(),
          })),
          unread: await notify.unreadCount(accountId),
          next: page.next ? encodeCursor(page.next) : null,
        };
      },
    );

    app.post(
      '/api/v1/app/notices/read',
      {
        onRequest: holder,
        schema: {
          tags: ['app'],
          summary: 'Mark notices read (also in the locked view)',
          security,
          body: Type.Union([
            Type.Object(
              { ids: Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 100 }) },
              {
                additionalProperties: false,
              },
            ),
            Type.Object({ all: Type.Literal(true) }, { additionalProperties: false }),
          ]),
          response: { 200: Type.Object({ marked: Type.Integer() }), ...problems(400, 401, 403) },
        },
      },
      async (request) => {
        const body = request.body;
        const marked = await notify.markRead(request.bearer!.accountId, 'ids' in body ? body.ids : 'all');
        return { marked };
      },
    );
  };
}
