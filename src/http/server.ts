import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { platformProblem } from '../platform/errors.ts';
import type { Platform } from '../platform/context.ts';
import { ProblemSchema, sendProblem, toProblem } from './problem.ts';
import { healthRoutes } from './health.ts';
import { webRoutes, type WebApp } from './web.ts';
import { auditRoutes } from '../audit/routes.ts';
import { calendarRoutes } from '../calendar/routes.ts';
import { representationRoutes } from '../representation/routes.ts';
import { activationRoutes } from '../auth/activation-routes.ts';
import { eidRoutes } from '../eid/routes.ts';
import { biometricsRoutes } from '../biometrics/routes.ts';
import { registryRpRoutes } from '../registries/rp-routes.ts';
import { lockRoutes, lockSecuritySchemes } from '../locks/routes.ts';
import { issuanceRoutes } from '../issuance/routes.ts';
import { applicationOfficerRoutes } from '../backoffice/application-routes.ts';
import { oidcRoutes, oidcSecuritySchemes } from '../oidc/routes.ts';
import type { Services } from '../services.ts';

export type App = FastifyInstance;

/**
 * Assembles the HTTP server: problem+json errors, the OpenAPI document generated from the route
 * schemas, and each context's routes. Routes are declared with their schemas beside them.
 */
export async function buildServer(
  platform: Platform,
  services: Services,
  options: { plugins?: FastifyPluginAsync[]; web?: WebApp | undefined } = {},
): Promise<App> {
  const app = Fastify({
    loggerInstance: platform.log as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    bodyLimit: 2 * 1024 * 1024,
    trustProxy: false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addSchema(ProblemSchema);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'dinhdanh: định danh và xác thực điện tử',
        version: '0.1.0',
        description:
          "API of Vietnam's national electronic identification and authentication platform (Decree 69/2024/NĐ-CP). " +
          'Errors are RFC 9457 problem+json with a stable `code`; messages are Vietnamese unless `Accept-Language: en`.',
      },
      servers: [{ url: platform.config.baseUrl }],
      components: {
        securitySchemes: {
          adminToken: { type: 'http', scheme: 'bearer' },
          ...oidcSecuritySchemes,
          ...lockSecuritySchemes,
        },
      },
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error as Error, request.id);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(request, reply, problem);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      request,
      reply,
      platformProblem('ROUTE_NOT_FOUND', { method: request.method, path: request.url.split('?')[0] ?? '' }),
    ),
  );

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(healthRoutes(platform));
  await app.register(auditRoutes(platform, services), { prefix: '/api/audit' });
  await app.register(calendarRoutes(platform, services), { prefix: '/api/calendar' });
  // The OpenID provider (discovery, /oidc/*, login pages) and the token-protected API /api/v1/*.
  await app.register(oidcRoutes(platform, services));
  await app.register(activationRoutes(platform, services));
  await app.register(issuanceRoutes(platform, services));
  await app.register(representationRoutes(platform, services));
  await app.register(eidRoutes(platform, services));
  await app.register(lockRoutes(platform, services));
  await app.register(applicationOfficerRoutes(platform, services));
  await app.register(biometricsRoutes({ biometrics: services.biometrics, auth: services.auth }));
  await app.register(registryRpRoutes(platform, services));
  for (const plugin of options.plugins ?? []) await app.register(plugin);
  // Last: the web apps' catch-all must never shadow an API or provider route (http/web.ts).
  if (options.web) await app.register(webRoutes(options.web));
  return app as unknown as App;
}
