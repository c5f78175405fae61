import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testPlatform, useTestDatabase } from '../../test/database.ts';
import { buildServer, type App } from '../http/server.ts';
import { DEMO_PERSONS } from '../registries/demo.ts';
import { seedSandbox } from '../registries/seed.ts';
import { createServices } from '../services.ts';
import { sandboxBiometricsRoutes } from './sandbox-routes.ts';

/**
 * The sandbox's sample finder: a demo person's genuine and impostor samples as links, the files
 * behind the links and nothing else (a path out of the sample folder, or a file never listed, is
 * a 404).
 */
const t = useTestDatabase();
let app: App;

beforeAll(async () => {
  await seedSandbox(t.database.pool, { citizens: 50, seed: 'sandbox-biometrics' });
  const platform = testPlatform(t.db);
  const services = createServices(platform);
  app = await buildServer(platform, services, {
    plugins: [sandboxBiometricsRoutes({ registries: services.registries, biometrics: null })],
  });
});

afterAll(async () => {
  await app?.close();
});

describe('sandbox samples of a person', () => {
  test('genuine and impostor links; each serves its image', async () => {
    const listed = await app.inject({ url: `/sandbox/biometrics/${DEMO_PERSONS.citizen.pin}` });
    expect(listed.statusCode).toBe(200);
    const body = listed.json<{
      face: { genuine: string[]; impostor: string[] };
      fingerprints: { genuine: string[] };
    }>();
    expect(body.face.genuine.length).toBeGreaterThan(0);
    expect(body.face.impostor.length).toBeGreaterThan(0);
    expect(body.fingerprints.genuine.length).toBeGreaterThan(1);
    const face = await app.inject({ url: body.face.genuine[0]! });
    expect(face.statusCode).toBe(200);
    expect(face.headers['content-type']).toMatch(/^image\/(jpeg|png)/);
    const finger = await app.inject({ url: body.fingerprints.genuine[0]! });
    expect(finger.headers['content-type']).toBe('image/tiff');
    expect(finger.rawPayload.subarray(0, 2).toString()).toMatch(/II|MM/);
  });

  test('a path out of the samples or a file never listed is not served; a bad PIN is a 400', async () => {
    expect((await app.inject({ url: '/sandbox/biometrics/files/..%2F..%2Fpackage.json' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/sandbox/biometrics/files/MANIFEST.md' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/sandbox/biometrics/12ab' })).statusCode).toBe(400);
    expect((await app.inject({ url: '/sandbox/biometrics/000000000000' })).statusCode).toBe(404);
  });
});
