import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import pg from 'pg';
import { inject } from 'vitest';
import SwaggerParser from '@apidevtools/swagger-parser';
import { buildServer, type App } from '../src/http/server.ts';
import { createServices } from '../src/services.ts';
import { connect } from '../src/platform/database.ts';
import { testPlatform, useTestDatabase } from './database.ts';

const t = useTestDatabase();
let app: App;

beforeAll(async () => {
  const platform = testPlatform(t.db, { config: { adminToken: 'test-admin-token' } });
  app = await buildServer(platform, createServices(platform));
});
afterAll(async () => {
  await app.close();
});

describe('platform HTTP', () => {
  test('GET /healthz answers while the process lives', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  test('GET /readyz is 200 when the database is reachable and migrated', async () => {
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ready', pendingMigrations: [] });
  });

  test('GET /readyz is 503 on a database whose migrations have not run', async () => {
    const admin = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
    await admin.connect();
    const name = `dd_${inject('testRunId')}_bare_${process.pid}`;
    await admin.query(`create database "${name}"`);
    const url = new URL(inject('adminDatabaseUrl'));
    url.pathname = `/${name}`;
    const bare = connect(url.toString(), { max: 1 });
    const platform = testPlatform(bare.db);
    const bareApp = await buildServer(platform, createServices(platform));
    try {
      const res = await bareApp.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json().pendingMigrations).toContain('202611260100_audit_ledger');
    } finally {
      await bareApp.close();
      await bare.close();
      await admin.query(`drop database "${name}" with (force)`);
      await admin.end();
    }
  });

  test('the OpenAPI document is valid OpenAPI 3.1 and browsable', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
    expect(Object.keys(doc.paths)).toContain('/readyz');
    const docs = await app.inject({ method: 'GET', url: '/api/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toContain('text/html');
  });

  test('errors are problem+json with a stable code, Vietnamese by default and English on request', async () => {
    const vi = await app.inject({ method: 'GET', url: '/khong-co' });
    expect(vi.statusCode).toBe(404);
    expect(vi.headers['content-type']).toContain('application/problem+json');
    expect(vi.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND', status: 404, title: 'Không có địa chỉ GET /khong-co.' });
    const en = await app.inject({ method: 'GET', url: '/khong-co', headers: { 'accept-language': 'en-GB,vi;q=0.5' } });
    expect(en.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND', title: 'There is no GET /khong-co.' });
    expect(en.headers['content-language']).toBe('en');
  });

  test('the admin API is closed without the admin token', async () => {
    const none = await app.inject({ method: 'GET', url: '/api/audit/verify' });
    expect(none.statusCode).toBe(401);
    expect(none.json().code).toBe('UNAUTHENTICATED');
    const wrong = await app.inject({
      method: 'GET',
      url: '/api/audit/verify',
      headers: { authorization: 'Bearer not-the-token' },
    });
    expect(wrong.statusCode).toBe(403);
    const right = await app.inject({
      method: 'GET',
      url: '/api/audit/verify',
      headers: { authorization: 'Bearer test-admin-token' },
    });
    expect(right.statusCode).toBe(200);
    expect(right.json()).toMatchObject({ ok: true });
  });
});
