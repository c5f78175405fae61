import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import SwaggerParser from '@apidevtools/swagger-parser';
import { testPlatform, useTestDatabase } from './database.ts';
import { ProblemSchema, sendProblem, toProblem } from '../src/http/problem.ts';
import { ownPhone } from '../src/auth/activation.ts';
import { authKit } from '../src/auth/testing.ts';
import { createRepresentationService } from '../src/representation/service.ts';
import { createOidc } from '../src/oidc/service.ts';
import { oidcRoutes, oidcSecuritySchemes } from '../src/oidc/routes.ts';

/**
 * The OpenID routes keep the platform's OpenAPI document valid once their security scheme is
 * declared beside the admin token's (as src/http/server.ts is to declare it), and discovery names
 * the configured issuer's endpoints whatever Host the request carries.
 */
const t = useTestDatabase();
let app: FastifyInstance;

beforeAll(async () => {
  const platform = testPlatform(t.db, { config: { adminToken: 'admin-secret', baseUrl: 'https://id.example.gov.vn' } });
  const kit = authKit(platform);
  const oidc = createOidc(platform, { audit: kit.audit, identity: kit.identity, backoffice: kit.backoffice });
  app = Fastify();
  app.addSchema(ProblemSchema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'dinhdanh', version: '0.1.0' },
      components: {
        securitySchemes: { adminToken: { type: 'http', scheme: 'bearer' }, ...oidcSecuritySchemes },
      },
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  app.setErrorHandler((error, request, reply) => sendProblem(request, reply, toProblem(error as Error, request.id)));
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(
    oidcRoutes(platform, {
      oidc,
      identity: kit.identity,
      auth: kit.auth,
      backoffice: kit.backoffice,
      audit: kit.audit,
      representation: createRepresentationService(platform, kit),
      contactPhoneOf: ownPhone,
      notify: kit.notify,
    }),
  );
});

afterAll(async () => {
  await app?.close();
});

describe('OpenAPI and discovery', () => {
  test('documents the app, officer and admin routes; the provider and login pages stay out of it', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
    const paths = Object.keys(doc.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/app/me',
        '/api/v1/app/history',
        '/api/v1/app/consents',
        '/api/v1/app/consents/{clientId}',
        '/api/v1/app/notices',
        '/api/v1/app/notices/read',
        '/api/v1/officer/units/{unitId}/summary',
        '/api/v1/admin/relying-parties',
        '/api/v1/admin/oidc/keys/rotate',
      ]),
    );
    expect(paths.some((p) => p.startsWith('/oidc') || p.startsWith('/interaction'))).toBe(false);
    expect(doc.paths['/api/v1/app/me'].get.security).toEqual([{ oidcBearer: [] }]);
  });

  test('discovery names the issuer and its endpoints, whatever Host the request carries', async () => {
    for (const headers of [{}, { host: 'attacker.example', 'x-forwarded-host': 'attacker.example' }]) {
      const res = await app.inject({ method: 'GET', url: '/.well-known/openid-configuration', headers });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        issuer: 'https://id.example.gov.vn',
        authorization_endpoint: 'https://id.example.gov.vn/oidc/auth',
        token_endpoint: 'https://id.example.gov.vn/oidc/token',
        jwks_uri: 'https://id.example.gov.vn/oidc/jwks',
      });
    }
  });
});
