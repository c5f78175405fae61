import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Platform } from '../platform/context.ts';
import type { Services } from '../services.ts';
import { adminGuard } from '../http/guards.ts';

const VerifyReport = Type.Object({
  ok: Type.Boolean(),
  checked: Type.Integer({ description: 'Entries whose links were recomputed' }),
  chains: Type.Integer(),
  firstBroken: Type.Optional(
    Type.Object({
      chain: Type.Integer(),
      seq: Type.Integer(),
      id: Type.String(),
      reason: Type.String(),
    }),
  ),
});

export function auditRoutes(platform: Platform, services: Services): FastifyPluginAsync {
  return async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/verify',
      {
        onRequest: adminGuard(platform.config.adminToken),
        schema: {
          tags: ['audit'],
          summary: 'Recompute the hash chains of the audit ledger',
          security: [{ adminToken: [] }],
          response: { 200: VerifyReport, 401: { $ref: 'Problem' }, 403: { $ref: 'Problem' } },
        },
      },
      async () => services.audit.verify(),
    );
  };
}
