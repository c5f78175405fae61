import { readFileSync } from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { sendProblem, toProblem } from '../../http/problem.ts';
import { Problem } from '../../platform/errors.ts';
import { biometricsDataDir } from '../evaluation/samples.ts';
import { FaceExtractor, type FaceCapture } from './extract.ts';
import { decodeImage, encodePng, resize, type RgbImage } from './image.ts';
import { PAD_NOTE } from './quality.ts';
import { compareTemplates } from './template.ts';
import { DEFAULT_THRESHOLD } from './verifier.ts';

const faces = path.join(biometricsDataDir(), 'faces');
const sample = (rel: string) => readFileSync(path.join(faces, rel));

let extractor: FaceExtractor;
beforeAll(async () => {
  extractor = await FaceExtractor.create(); // once per file (about 1 s)
});

async function problemOf(bytes: Uint8Array): Promise<Problem> {
  try {
    await extractor.extract(bytes);
  } catch (e) {
    if (e instanceof Problem) return e;
    throw e;
  }
  throw new Error('expected a problem');
}

function sideBySide(a: RgbImage, b: RgbImage): RgbImage {
  const height = Math.max(a.height, b.height);
  const width = a.width + b.width;
  const data = new Uint8Array(width * height * 3).fill(200);
  for (const [img, x0] of [
    [a, 0],
    [b, a.width],
  ] as const) {
    for (let y = 0; y < img.height; y++)
      data.set(img.data.subarray(y * img.width * 3, (y + 1) * img.width * 3), (y * width + x0) * 3);
  }
  return { width, height, data };
}

function map(img: RgbImage, f: (v: number) => number): RgbImage {
  return { ...img, data: img.data.map(f) };
}

/** Separable box blur of radius r, applied `passes` times (close to a Gaussian). */
function blur(img: RgbImage, r: number, passes = 3): RgbImage {
  let data = Uint8Array.from(img.data);
  const { width, height } = img;
  for (let pass = 0; pass < passes; pass++) {
    for (const horizontal of [true, false]) {
      const out = new Uint8Array(data.length);
      const len = horizontal ? width : height;
      const lines = horizontal ? height : width;
      for (let line = 0; line < lines; line++) {
        for (let c = 0; c < 3; c++) {
          const at = (k: number) => {
            const kk = Math.min(len - 1, Math.max(0, k));
            return ((horizontal ? line * width + kk : kk * width + line) * 3 + c) as number;
          };
          for (let k = 0; k < len; k++) {
            let sum = 0;
            for (let d = -r; d <= r; d++) sum += data[at(k + d)]!;
            out[at(k)] = Math.round(sum / (2 * r + 1));
          }
        }
      }
      data = out;
    }
  }
  return { ...img, data };
}

describe('face extraction and comparison', () => {
  let genuineA: FaceCapture;
  beforeAll(async () => {
    genuineA = await extractor.extract(sample('lfw-tony-blair/3.jpg'));
  });

  it('describes a face with a template, measurements and timings', () => {
    const m = genuineA.measurements;
    expect(m.faces).toBe(1);
    expect(m.eyeDistance).toBeGreaterThan(30);
    expect(Math.abs(m.roll)).toBeLessThan(10);
    expect(m.padSignal.note).toBe(PAD_NOTE);
    expect(genuineA.problems).toEqual([]);
    expect(genuineA.timings.totalMs).toBeGreaterThan(0);
    expect(JSON.stringify(genuineA.template)).toBe('"[face template]"');
  });

  it('scores a genuine pair above the threshold and an impostor pair below', async () => {
    const genuineB = await extractor.extract(sample('lfw-tony-blair/9.jpg'));
    // same source (LFW news photos), different person: the harder impostor case
    const impostor = await extractor.extract(sample('lfw-colin-powell/5.jpg'));
    const same = compareTemplates(genuineA.template, genuineB.template);
    const different = compareTemplates(genuineA.template, impostor.template);
    expect(same.score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
    expect(different.score).toBeLessThan(DEFAULT_THRESHOLD);
    expect(compareTemplates(genuineA.template, genuineA.template)).toEqual({ distance: 0, score: 1 });
  });

  it('pads a tight 150x150 crop that the detector misses as it is', async () => {
    const crop = await extractor.extract(sample('faceapi-stuart/4.png'));
    expect(crop.measurements.detector).toMatch(/padded/);
    const other = await extractor.analyse(sample('faceapi-stuart/1.png'));
    expect(compareTemplates(crop.template, other.template).score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
  });
});

describe('bad captures give a 4xx problem with the reason', () => {
  it('not an image', async () => {
    const p = await problemOf(Buffer.from('%PDF-1.7 a scanned form'));
    expect([p.code, p.status]).toEqual(['FACE_NOT_AN_IMAGE', 415]);
    expect(p.message).toMatch(/PDF/);
  });

  it('a truncated JPEG (bytes cut)', async () => {
    const bytes = sample('lfw-tony-blair/3.jpg');
    const p = await problemOf(bytes.subarray(0, Math.floor(bytes.length * 0.7)));
    expect([p.code, p.status]).toEqual(['FACE_IMAGE_TRUNCATED', 400]);
    expect(p.messageIn('vi')).toMatch(/cắt cụt/);
  });

  it('no face: a plain grey picture', async () => {
    const grey = { width: 320, height: 240, data: new Uint8Array(320 * 240 * 3).fill(128) };
    const p = await problemOf(encodePng(grey));
    expect([p.code, p.status]).toEqual(['FACE_NOT_FOUND', 422]);
  });

  it('two faces side by side', async () => {
    const a = resize(decodeImage(sample('deepface-08/2.jpg')), 300, 300);
    const b = resize(decodeImage(sample('deepface-06/2.jpg')), 300, 396);
    const p = await problemOf(encodePng(sideBySide(a, b)));
    expect([p.code, p.status]).toEqual(['FACE_MULTIPLE', 422]);
    expect(p.params).toEqual({ count: 2 });
  });

  it('a face too small (the photo downscaled to 40 px)', async () => {
    const tiny = resize(decodeImage(sample('deepface-08/2.jpg')), 40, 40);
    const p = await problemOf(encodePng(tiny));
    expect([p.code, p.status]).toEqual(['FACE_TOO_SMALL', 422]);
    expect(p.message).toMatch(/between the eyes/);
  });

  it('blurred and dark faces are retakes, with every reason listed', async () => {
    const photo = decodeImage(sample('deepface-08/2.jpg'));
    const blurred = await extractor.analyse(encodePng(blur(photo, 4)));
    expect(blurred.problems.map((p) => p.code)).toEqual(['FACE_BLURRED']);
    expect(blurred.problems[0]!.status).toBe(422);
    const dark = await extractor.analyse(encodePng(map(photo, (v) => v * 0.2)));
    expect(dark.problems.map((p) => p.code)).toEqual(['FACE_TOO_DARK']);
    await expect(extractor.extract(encodePng(map(photo, (v) => v * 0.2)))).rejects.toMatchObject({
      code: 'FACE_TOO_DARK',
      status: 422,
    });
  });
});

describe('over HTTP', () => {
  it('a route that extracts a face answers bad captures with problem+json 4xx and the reason', async () => {
    const app = Fastify();
    app.addContentTypeParser(
      ['image/jpeg', 'image/png', 'application/octet-stream'],
      { parseAs: 'buffer' },
      (_r, body, done) => done(null, body),
    );
    app.setErrorHandler((error, request, reply) => sendProblem(request, reply, toProblem(error as Error, request.id)));
    app.post('/face', async (request) => {
      const capture = await extractor.extract(request.body as Buffer);
      return { eyeDistance: Math.round(capture.measurements.eyeDistance) };
    });
    const post = (body: Buffer, type: string) =>
      app.inject({
        method: 'POST',
        url: '/face',
        payload: body,
        headers: { 'content-type': type, 'accept-language': 'en' },
      });
    const jpg = sample('lfw-tony-blair/3.jpg');
    const good = await post(jpg, 'image/jpeg');
    expect(good.statusCode).toBe(200);
    const cut = await post(jpg.subarray(0, 5000), 'image/jpeg');
    expect(cut.statusCode).toBe(400);
    expect(cut.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(cut.json()).toMatchObject({
      code: 'FACE_IMAGE_TRUNCATED',
      status: 400,
      detail: expect.stringMatching(/truncated/),
    });
    const text = await post(Buffer.from('hello'), 'application/octet-stream');
    expect([text.statusCode, text.json().code]).toEqual([415, 'FACE_NOT_AN_IMAGE']);
    const grey = await post(
      encodePng({ width: 200, height: 200, data: new Uint8Array(200 * 200 * 3).fill(90) }),
      'image/png',
    );
    expect(grey.statusCode).toBe(422);
    expect(grey.json().detail).toMatch(/No face was found/);
    await app.close();
  });
});
