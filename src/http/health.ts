import type { FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { Platform } from '../platform/context.ts';
import { pendingMigrations } from '../platform/migrations.ts';

const Health = Type.Object({ status: Type.String() });
const Ready = Type.Object({
  status: Type.String(),
  database: Type.String(),
  pendingMigrations: Type.Array(Type.String()),
});

/** Liveness (`/healthz`: the process answers) and readiness (`/readyz`: database up, schema current). */
export function healthRoutes(platform: Platform): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/healthz',
      { schema: { tags: ['platform'], summary: 'Liveness', response: { 200: Health } } },
      async () => ({ status: 'ok' }),
    );
    app.get(
      '/readyz',
      { schema: { tags: ['platform'], summary: 'Readiness', response: { 200: Ready, 503: Ready } } },
      async (_request, reply) => {
        try {
          await sql`select 1`.execute(platform.db);
          const pending = await pendingMigrations(platform.db);
          const ready = pending.length === 0;
          return reply
            .status(ready ? 200 : 503)
            .send({ status: ready ? 'ready' : 'migrations pending', database: 'up', pendingMigrations: pending });
        } catch (error) {
          platform.log.warn({ err: error }, 'readiness check failed');
          return reply.status(503).send({ status: 'database unreachable', database: 'down', pendingMigrations: [] });
        }
      },
    );
  };
}
