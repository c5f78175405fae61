import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testPlatform, useTestDatabase } from '../../test/database.ts';
import { buildServer, type App } from '../http/server.ts';
import { createServices } from '../services.ts';
import { biometricsDataDir } from './evaluation/samples.ts';

/**
 * The capture check the apps call while the camera is open: a usable photo is acceptable, a
 * photo to retake says what to change (in the caller's language), a file that is no image is a
 * 4xx; nothing of the face (template, descriptor) comes back.
 */
const t = useTestDatabase();
const face = (rel: string) => readFileSync(path.join(biometricsDataDir(), 'faces', rel)).toString('base64');
let app: App;

beforeAll(async () => {
  const platform = testPlatform(t.db);
  app = await buildServer(platform, createServices(platform));
}, 120_000);

afterAll(async () => {
  await app?.close();
});

const check = (image: string, language = 'vi') =>
  app.inject({
    method: 'POST',
    url: '/api/v1/public/biometrics/face-check',
    headers: { 'accept-language': language },
    payload: { image },
  });

describe('face capture check before sending', () => {
  test('a frontal photo is acceptable; the presentation-attack cue is a weak signal, said so', async () => {
    const answer = await check(face('fr-obama/1.jpg'));
    expect(answer.statusCode).toBe(200);
    const body = answer.json<Record<string, unknown>>();
    expect(body).toMatchObject({ acceptable: true, quality: [] });
    expect(body.presentation_attack_signal).toMatchObject({ note: expect.stringContaining('not liveness') });
    expect(Object.keys(body).sort()).toEqual(['acceptable', 'presentation_attack_signal', 'quality']);
  });

  test('two faces: retake, with the reason in Vietnamese or English', async () => {
    const vi = (await check(face('lfw-ariel-sharon/9.jpg'))).json<{ acceptable: boolean; quality: object[] }>();
    expect(vi.acceptable).toBe(false);
    expect(vi.quality).toEqual([{ code: 'multiple_faces', message: expect.stringContaining('khuôn mặt') }]);
    const en = (await check(face('lfw-ariel-sharon/9.jpg'), 'en')).json<{ quality: { message: string }[] }>();
    expect(en.quality[0]!.message).toMatch(/faces/);
  });

  test('not an image, or a truncated file: a 4xx problem, not a result', async () => {
    const text = await check(Buffer.from('%PDF-1.4 not a photo at all, a document').toString('base64'));
    expect(text.statusCode).toBe(415);
    expect(text.json()).toMatchObject({ code: 'FACE_NOT_AN_IMAGE' });
    const whole = Buffer.from(face('fr-obama/1.jpg'), 'base64');
    const cut = await check(whole.subarray(0, Math.floor(whole.length / 3)).toString('base64'));
    expect(cut.statusCode).toBeGreaterThanOrEqual(400);
    expect(cut.statusCode).toBeLessThan(500);
  });
});
