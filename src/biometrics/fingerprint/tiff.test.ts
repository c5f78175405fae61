import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { biometricsDataDir } from '../evaluation/samples.ts';
import { ImageFormatError } from './errors.ts';
import { decodeTiff } from './tiff.ts';

interface Tag {
  tag: number;
  type: 3 | 4 | 5;
  values: number[];
}

/** A minimal TIFF writer for the tests: one IFD, values stored after it, pixels at the end. */
function tiff(tags: Tag[], pixels: Uint8Array, bigEndian = false, stripOffsetsTag = 273): Uint8Array {
  const size = { 3: 2, 4: 4, 5: 8 } as const;
  const ifd = 8;
  const entries = [...tags].sort((a, b) => a.tag - b.tag);
  let extra = ifd + 2 + entries.length * 12 + 4;
  const layout = entries.map((t) => {
    const bytes = size[t.type] * t.values.length;
    const at = bytes > 4 ? extra : -1;
    if (bytes > 4) extra += bytes;
    return at;
  });
  const pixelStart = extra;
  const out = new Uint8Array(pixelStart + pixels.length);
  const v = new DataView(out.buffer);
  const le = !bigEndian;
  out.set(bigEndian ? [0x4d, 0x4d] : [0x49, 0x49]);
  v.setUint16(2, 42, le);
  v.setUint32(4, ifd, le);
  v.setUint16(ifd, entries.length, le);
  entries.forEach((t, i) => {
    const e = ifd + 2 + i * 12;
    v.setUint16(e, t.tag, le);
    v.setUint16(e + 2, t.type, le);
    v.setUint32(e + 4, t.values.length, le);
    const values = t.tag === stripOffsetsTag ? t.values.map((x) => x + pixelStart) : t.values;
    const at = layout[i]! >= 0 ? layout[i]! : e + 8;
    if (layout[i]! >= 0) v.setUint32(e + 8, at, le);
    values.forEach((x, k) => {
      if (t.type === 3) v.setUint16(at + 2 * k, x, le);
      else if (t.type === 4) v.setUint32(at + 4 * k, x, le);
      else {
        v.setUint32(at + 8 * k, x, le);
        v.setUint32(at + 8 * k + 4, 1, le);
      }
    });
  });
  out.set(pixels, pixelStart);
  return out;
}

function grey(width: number, height: number, extra: Tag[] = [], rowsPerStrip = height): Tag[] {
  const strips = Math.ceil(height / rowsPerStrip);
  return [
    { tag: 256, type: 3, values: [width] },
    { tag: 257, type: 3, values: [height] },
    { tag: 258, type: 3, values: [8] },
    { tag: 259, type: 3, values: [1] },
    { tag: 262, type: 3, values: [1] },
    { tag: 273, type: 4, values: Array.from({ length: strips }, (_, s) => s * rowsPerStrip * width) },
    { tag: 277, type: 3, values: [1] },
    { tag: 278, type: 3, values: [rowsPerStrip] },
    {
      tag: 279,
      type: 4,
      values: Array.from({ length: strips }, (_, s) => Math.min(rowsPerStrip, height - s * rowsPerStrip) * width),
    },
    ...extra,
  ];
}

function withTag(tags: Tag[], tag: Tag): Tag[] {
  return [...tags.filter((t) => t.tag !== tag.tag), tag];
}

const ramp = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 251);

function imageError(bytes: Uint8Array): ImageFormatError {
  try {
    decodeTiff(bytes);
  } catch (e) {
    if (e instanceof ImageFormatError) return e;
    throw e;
  }
  throw new Error('expected the image to be rejected');
}

describe('baseline TIFF reader', () => {
  it('reads an FVC2002 DB2 image: 296x560, 8-bit grey, one strip', () => {
    const file = path.join(biometricsDataDir(), 'fingerprints', 'fvc2002-db2-b', '101_1.tif');
    const bytes = new Uint8Array(readFileSync(file));
    const img = decodeTiff(bytes);
    expect([img.width, img.height, img.data.length, img.dpi]).toEqual([296, 560, 296 * 560, undefined]);
    // the file's pixels start at byte 512 (StripOffsets) and are copied unchanged
    expect(Buffer.from(img.data).equals(bytes.subarray(512, 512 + 296 * 560))).toBe(true);
  });

  it('reads several strips, either byte order, and the stated resolution', () => {
    const pixels = ramp(7 * 5);
    for (const bigEndian of [false, true]) {
      const tags = withTag(grey(7, 5, [], 2), { tag: 282, type: 5, values: [500] });
      const img = decodeTiff(tiff([...tags, { tag: 296, type: 3, values: [2] }], pixels, bigEndian));
      expect([img.width, img.height, img.dpi]).toEqual([7, 5, 500]);
      expect(img.data).toEqual(pixels);
    }
    const cm = decodeTiff(
      tiff([...grey(4, 4), { tag: 282, type: 5, values: [197] }, { tag: 296, type: 3, values: [3] }], ramp(16)),
    );
    expect(cm.dpi).toBeCloseTo(500.38, 2);
  });

  it('turns WhiteIsZero into black-is-zero', () => {
    const img = decodeTiff(tiff(withTag(grey(2, 1), { tag: 262, type: 3, values: [0] }), Uint8Array.from([0, 200])));
    expect([...img.data]).toEqual([255, 55]);
  });

  it('refuses what it does not read, with a reason', () => {
    const ok = grey(4, 4);
    expect(imageError(tiff(withTag(ok, { tag: 259, type: 3, values: [5] }), ramp(16))).code).toBe('UNSUPPORTED');
    expect(imageError(tiff(withTag(ok, { tag: 258, type: 3, values: [16] }), ramp(16))).reason).toMatch(/16-bit/);
    expect(imageError(tiff(withTag(ok, { tag: 262, type: 3, values: [2] }), ramp(16))).code).toBe('UNSUPPORTED');
    expect(imageError(tiff([...ok, { tag: 322, type: 3, values: [16] }], ramp(16))).reason).toMatch(/tiled/);
    expect(
      imageError(
        tiff(
          ok.filter((t) => t.tag !== 256),
          ramp(16),
        ),
      ).code,
    ).toBe('INVALID_FIELD');
  });

  it('rejects truncated files and non-TIFF bytes', () => {
    const whole = tiff(grey(8, 8), ramp(64));
    expect(imageError(whole.subarray(0, whole.length - 1)).code).toBe('TRUNCATED');
    expect(imageError(whole.subarray(0, 12)).code).toBe('TRUNCATED');
    expect(imageError(new TextEncoder().encode('not an image at all')).code).toBe('NOT_TIFF');
    expect(imageError(new Uint8Array(3)).code).toBe('NOT_TIFF');
    for (let n = 0; n < whole.length; n += 7) expect(imageError(whole.subarray(0, n))).toBeInstanceOf(ImageFormatError);
  });
});
