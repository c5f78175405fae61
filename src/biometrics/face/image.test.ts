import { readFileSync } from 'node:fs';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { Problem } from '../../platform/errors.ts';
import { biometricsDataDir } from '../evaluation/samples.ts';
import { decodeImage, encodePng, orient, pad, resize, sniffFormat, type RgbImage } from './image.ts';
import { FACE_QUALITY_CODES, isFaceProblem, qualityCodeOf } from './problems.ts';

const faces = path.join(biometricsDataDir(), 'faces');
const sample = (rel: string) => readFileSync(path.join(faces, rel));

function problemOf(fn: () => unknown): Problem {
  try {
    fn();
  } catch (e) {
    if (e instanceof Problem) return e;
    throw e;
  }
  throw new Error('expected a problem');
}

function gradient(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = x * 10;
      data[i + 1] = y * 10;
      data[i + 2] = 7;
    }
  }
  return { width, height, data };
}

describe('capture decoding', () => {
  it('decodes the sample formats: JPEG (baseline and progressive), greyscale PNG, RGBA PNG', () => {
    const lfw = decodeImage(sample('lfw-tony-blair/3.jpg'));
    expect([lfw.width, lfw.height, lfw.data.length]).toEqual([250, 250, 250 * 250 * 3]);
    const progressive = decodeImage(sample('deepface-03/2.jpg'));
    expect([progressive.width, progressive.height]).toEqual([800, 533]);
    const grey = decodeImage(sample('faceapi-amy/1.png'));
    expect([grey.width, grey.height]).toEqual([150, 150]);
    expect(grey.data[0]).toBe(grey.data[1]); // grey expanded to RGB
    const rgba = decodeImage(sample('fr-alex-lacamoire/3.png'));
    expect([rgba.width, rgba.height]).toEqual([424, 394]);
  });

  it('refuses what is not a JPEG or PNG, naming what it is', () => {
    for (const [bytes, reason] of [
      [Buffer.alloc(0), /empty/],
      [Buffer.from('this is not a photo, just text'), /neither the JPEG nor the PNG/],
      [Buffer.from('GIF89a\x01\x00\x01\x00'), /GIF/],
      [Buffer.from('II*\0\x08\0\0\0'), /fingerprints only/],
    ] as const) {
      const p = problemOf(() => decodeImage(bytes));
      expect(p.code).toBe('FACE_NOT_AN_IMAGE');
      expect(p.status).toBe(415);
      expect(p.message).toMatch(reason);
      expect(isFaceProblem(p) && qualityCodeOf(p)).toBe('not_an_image');
    }
    expect(sniffFormat(sample('faceapi-amy/1.png'))).toBe('png');
    expect(sniffFormat(sample('lfw-tony-blair/3.jpg'))).toBe('jpeg');
  });

  it('finds a JPEG or PNG cut short, whatever the decoder would make of it', () => {
    const jpg = sample('deepface-03/2.jpg');
    for (const keep of [0.1, 0.5, 0.9, 0.999]) {
      const p = problemOf(() => decodeImage(jpg.subarray(0, Math.floor(jpg.length * keep))));
      expect(p.code).toBe('FACE_IMAGE_TRUNCATED');
      expect(p.status).toBe(400);
    }
    expect(problemOf(() => decodeImage(jpg.subarray(0, jpg.length - 2))).message).toMatch(/compressed image data/);
    const png = sample('faceapi-amy/1.png');
    for (const keep of [0.3, 0.8]) {
      expect(problemOf(() => decodeImage(png.subarray(0, Math.floor(png.length * keep)))).code).toBe(
        'FACE_IMAGE_TRUNCATED',
      );
    }
    expect(problemOf(() => decodeImage(png.subarray(0, png.length - 4))).message).toMatch(/IEND/);
  });

  it('refuses images above the size limit before decoding them', () => {
    const p = problemOf(() => decodeImage(sample('deepface-12/3.jpg'), { maxMegapixels: 4 }));
    expect(p.code).toBe('FACE_IMAGE_TOO_LARGE');
    expect(p.status).toBe(413);
    expect(p.message).toMatch(/14\.1 megapixels, at most 4/);
  });

  it('applies the EXIF orientation', () => {
    const img = gradient(4, 3);
    const encoded = jpeg.encode({ width: 4, height: 3, data: toRgba(img) }, 95).data;
    // insert an APP1 Exif segment with orientation 6 (rotate 90° clockwise) after SOI
    const tiff = Buffer.from([
      0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0,
    ]);
    const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
    const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, 0, payload.length + 2]), payload]);
    const withExif = Buffer.concat([encoded.subarray(0, 2), app1, encoded.subarray(2)]);
    const decoded = decodeImage(withExif);
    expect([decoded.width, decoded.height]).toEqual([3, 4]);
    // orientation 6: the stored bottom-left pixel becomes the top-left
    const rotated = orient(img, 6);
    expect([rotated.width, rotated.height]).toEqual([3, 4]);
    expect(Array.from(rotated.data.subarray(0, 3))).toEqual(Array.from(img.data.subarray(2 * 4 * 3, 2 * 4 * 3 + 3)));
    for (let o = 1; o <= 8; o++) expect(orient(img, o).data.length).toBe(img.data.length);
  });

  it('pads by repeating the edges, resizes, and writes PNG it can read back', () => {
    const img = gradient(10, 6);
    const { image: padded, offset } = pad(img, 0.5);
    expect(offset).toBe(5);
    expect([padded.width, padded.height]).toEqual([20, 16]);
    expect(Array.from(padded.data.subarray(0, 3))).toEqual(Array.from(img.data.subarray(0, 3)));
    const small = resize(img, 5, 3);
    expect(small.data[0]).toBe(5); // mean of 0 and 10
    const big = resize(img, 20, 12);
    expect([big.width, big.height]).toEqual([20, 12]);
    const back = decodeImage(encodePng(img));
    expect(Array.from(back.data)).toEqual(Array.from(img.data));
  });

  it('gives every face problem a retake code', () => {
    expect(Object.values(FACE_QUALITY_CODES)).toEqual(
      expect.arrayContaining(['not_an_image', 'truncated_image', 'no_face', 'multiple_faces', 'face_too_small']),
    );
  });
});

function toRgba(img: RgbImage): Uint8Array {
  const out = new Uint8Array(img.width * img.height * 4);
  for (let p = 0; p < img.width * img.height; p++) {
    out.set(img.data.subarray(p * 3, p * 3 + 3), p * 4);
    out[p * 4 + 3] = 255;
  }
  return out;
}
