import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { biometricsDataDir } from '../evaluation/samples.ts';
import { FingerprintFormatError } from './errors.ts';
import {
  encodeIso19794_2,
  encodeIsoTemplate,
  parseIso19794_2,
  parseIsoTemplate,
  type IsoFingerMinutiaeRecord,
} from './iso19794-2.ts';
import { TWO_PI, type FingerprintTemplate } from './model.ts';

const fingerprints = path.join(biometricsDataDir(), 'fingerprints');
const sample = (name: string) => new Uint8Array(readFileSync(path.join(fingerprints, 'format-samples', name)));

function formatError(bytes: Uint8Array): FingerprintFormatError {
  try {
    parseIso19794_2(bytes);
  } catch (e) {
    if (e instanceof FingerprintFormatError) return e;
    throw new Error(`expected a FingerprintFormatError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected the record to be rejected');
}

/** A valid one-view record with two minutiae, built by hand (not by the encoder under test). */
function handMadeRecord(): Uint8Array {
  // prettier-ignore
  return Uint8Array.from([
    0x46, 0x4d, 0x52, 0x00, 0x20, 0x32, 0x30, 0x00, // FMR\0, " 20\0"
    0x00, 0x00, 0x00, 0x2a, // record length 42
    0x00, 0x00, // capture equipment
    0x01, 0x2c, 0x01, 0x90, // 300 x 400
    0x00, 0xc5, 0x00, 0xc5, // 197 px/cm
    0x01, 0x00, // one view, reserved
    0x02, 0x00, 0x50, 0x02, // right index, view 0 / live plain, quality 80, 2 minutiae
    0x40, 0x64, 0x00, 0xc8, 0x40, 0x3c, // ending at (100, 200), angle 64 units = 90°, quality 60
    0x80, 0x0a, 0x01, 0x00, 0x80, 0x00, // bifurcation at (10, 256), angle 180°, quality 0
    0x00, 0x00, // no extended data
  ]);
}

describe('ISO/IEC 19794-2:2005 reader', () => {
  it('reads a hand-made record field by field', () => {
    const r = parseIso19794_2(handMadeRecord());
    expect(r).toMatchObject({ width: 300, height: 400, resolutionX: 197, resolutionY: 197, trailingBytes: 0 });
    expect(r.views).toHaveLength(1);
    const v = r.views[0]!;
    expect(v).toMatchObject({ fingerPosition: 2, viewNumber: 0, impressionType: 0, quality: 80 });
    expect(v.minutiae[0]).toEqual({ x: 100, y: 200, angle: Math.PI / 2, type: 'ending', quality: 60 });
    expect(v.minutiae[1]).toEqual({ x: 10, y: 256, angle: Math.PI, type: 'bifurcation', quality: 0 });
  });

  it('reads every shared FVC template (one view, 300x400 at 197 px/cm, 11–72 minutiae)', () => {
    let files = 0;
    const counts: number[] = [];
    const odd: string[] = [];
    for (const set of readdirSync(fingerprints).filter((d) => d.startsWith('fvc'))) {
      for (const f of readdirSync(path.join(fingerprints, set)).filter((n) => n.endsWith('.iso'))) {
        const r = parseIso19794_2(new Uint8Array(readFileSync(path.join(fingerprints, set, f))));
        files++;
        if (r.views.length !== 1 || r.width !== 300 || r.height !== 400 || r.resolutionX !== 197 || r.trailingBytes) {
          odd.push(`${set}/${f}: header`);
        }
        const ms = r.views[0]!.minutiae;
        counts.push(ms.length);
        for (const m of ms) {
          if (m.type === 'other' || m.x >= 300 || m.y >= 400 || m.angle < 0 || m.angle >= TWO_PI) {
            odd.push(`${set}/${f}: ${JSON.stringify(m)}`);
          }
        }
      }
    }
    expect(odd).toEqual([]);
    expect(Math.min(...counts)).toBe(11);
    expect(Math.max(...counts)).toBe(72);
    expect(files).toBe(480);
  });

  it('reads the SourceAFIS records and ignores their zero padding', () => {
    for (const name of ['sourceafis-iso-probe.dat', 'sourceafis-iso-matching.dat', 'sourceafis-iso-nonmatching.dat']) {
      const bytes = sample(name);
      const r = parseIso19794_2(bytes);
      expect(bytes.length).toBe(384);
      expect(r.trailingBytes).toBe(384 - new DataView(bytes.buffer).getUint32(8));
      expect(r.views).toHaveLength(1);
      expect(r.views[0]!.extendedData.length).toBe(5);
    }
    const probe = parseIso19794_2(sample('sourceafis-iso-probe.dat'));
    expect([probe.width, probe.height, probe.views[0]!.minutiae.length]).toEqual([224, 288, 38]);
  });

  it('rejects the libbiomeval two-view record whose extended data runs one byte past the record, unless told to tolerate it', () => {
    const bytes = sample('libbiomeval-fmr.iso2005');
    const e = formatError(bytes);
    expect(e.code).toBe('TRUNCATED');
    expect(e.reason).toMatch(/extended data of view 2 declares 42 bytes but only 41 remain/);
    const lenient = parseIso19794_2(bytes, { tolerateTruncatedExtendedData: true });
    expect(lenient.views.map((v) => [v.fingerPosition, v.minutiae.length])).toEqual([
      [7, 27],
      [2, 22],
    ]);
    expect(lenient.warnings).toHaveLength(1);
    expect([lenient.width, lenient.height]).toEqual([512, 512]);
  });

  it('names ANSI/INCITS 378 records instead of misreading them', () => {
    expect(formatError(sample('libbiomeval-fmr.ansi2004')).code).toBe('UNSUPPORTED_FORMAT');
    const e2007 = formatError(sample('libbiomeval-fmr.ansi2007'));
    expect(e2007.code).toBe('UNSUPPORTED_VERSION');
    expect(e2007.reason).toContain('030');
  });

  it('rejects the truncated openafis templates', () => {
    for (const n of [1, 2, 3]) {
      const e = formatError(sample(`openafis-invalid-101_1_truncate_${n}_byte${n > 1 ? 's' : ''}.iso`));
      expect(e.code).toBe('TRUNCATED');
      expect(e.reason).toMatch(/record length 30 exceeds the \d+ bytes available/);
    }
  });

  it('rejects images and empty input as a wrong format', () => {
    expect(formatError(sample('libbiomeval-img.wsq')).code).toBe('BAD_MAGIC');
    expect(formatError(sample('sourceafis-wsq-converted.png')).code).toBe('BAD_MAGIC');
    expect(formatError(new Uint8Array(0)).code).toBe('TOO_SHORT');
    expect(formatError(Uint8Array.from([0x46, 0x4d, 0x52])).code).toBe('TOO_SHORT');
  });

  it('rejects a minutiae count beyond the record length', () => {
    const bytes = handMadeRecord();
    bytes[27] = 200;
    const e = formatError(bytes);
    expect(e.code).toBe('TRUNCATED');
    expect(e.reason).toMatch(/declares 200 minutiae/);
  });

  it('rejects inconsistent lengths and out-of-range fields', () => {
    const padded = new Uint8Array(43);
    padded.set(handMadeRecord());
    padded[11] = 43;
    expect(formatError(padded).code).toBe('LENGTH_MISMATCH');
    const cases: Array<[string, (b: Uint8Array) => void, string]> = [
      ['record shorter than its views', (b) => (b[11] = 41), 'TRUNCATED'],
      ['wrong version', (b) => (b[5] = 0x31), 'UNSUPPORTED_VERSION'],
      ['no view', (b) => (b[22] = 0), 'INVALID_FIELD'],
      ['reserved minutia type', (b) => (b[28] = 0xc0), 'INVALID_FIELD'],
      ['reserved y bits', (b) => (b[30] = 0x40), 'INVALID_FIELD'],
      ['x outside the image', (b) => b.set([0x41, 0x2c], 28), 'INVALID_FIELD'],
      ['minutia quality above 100', (b) => (b[33] = 101), 'INVALID_FIELD'],
      ['finger position 11', (b) => (b[24] = 11), 'INVALID_FIELD'],
      ['impression type 5', (b) => (b[25] = 5), 'INVALID_FIELD'],
      ['zero resolution', (b) => (b[19] = 0), 'INVALID_FIELD'],
    ];
    for (const [name, mutate, code] of cases) {
      const bytes = handMadeRecord();
      mutate(bytes);
      expect(formatError(bytes).code, name).toBe(code);
    }
  });

  it('gives a typed error, never a crash, for every prefix and for random corruption', () => {
    const valid = new Uint8Array(readFileSync(path.join(fingerprints, 'fvc2002-db2-b', '101_1.iso')));
    for (let n = 0; n < valid.length; n++)
      expect(formatError(valid.subarray(0, n))).toBeInstanceOf(FingerprintFormatError);
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let trial = 0; trial < 2000; trial++) {
      const bytes = valid.slice();
      const flips = 1 + Math.floor(random() * 4);
      for (let f = 0; f < flips; f++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      try {
        parseIso19794_2(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(FingerprintFormatError);
      }
    }
  });
});

describe('ISO/IEC 19794-2:2005 writer', () => {
  it('writes back every shared template byte for byte', () => {
    for (const set of readdirSync(fingerprints).filter((d) => d.startsWith('fvc'))) {
      for (const f of readdirSync(path.join(fingerprints, set)).filter((n) => n.endsWith('.iso'))) {
        const bytes = new Uint8Array(readFileSync(path.join(fingerprints, set, f)));
        expect(encodeIso19794_2(parseIso19794_2(bytes))).toEqual(bytes);
      }
    }
  });

  it('writes back multi-view records with extended data, without the padding', () => {
    const bytes = sample('sourceafis-iso-nonmatching.dat');
    const length = new DataView(bytes.buffer).getUint32(8);
    expect(encodeIso19794_2(parseIso19794_2(bytes))).toEqual(bytes.subarray(0, length));
    const record: IsoFingerMinutiaeRecord = {
      equipmentCompliance: 8,
      equipmentId: 0x123,
      width: 500,
      height: 600,
      resolutionX: 197,
      resolutionY: 200,
      views: [
        {
          fingerPosition: 7,
          viewNumber: 0,
          impressionType: 0,
          quality: 90,
          minutiae: [{ x: 1, y: 2, angle: 0, type: 'other', quality: 100 }],
          extendedData: Uint8Array.from([0, 1, 0, 5, 9]),
        },
        {
          fingerPosition: 2,
          viewNumber: 1,
          impressionType: 8,
          quality: 0,
          minutiae: [],
          extendedData: new Uint8Array(0),
        },
      ],
    };
    const parsed = parseIso19794_2(encodeIso19794_2(record));
    expect({ ...parsed, trailingBytes: undefined, warnings: undefined }).toEqual({
      ...record,
      trailingBytes: undefined,
      warnings: undefined,
    });
  });

  it('round-trips a template to whole pixels and 360/256° units', () => {
    const template: FingerprintTemplate = {
      width: 296,
      height: 560,
      resolutionX: 224,
      resolutionY: 224,
      quality: 77,
      minutiae: [
        { x: 10.4, y: 20.6, angle: 0.1, type: 'ending', quality: 55 },
        { x: 295, y: 559, angle: 6.2, type: 'bifurcation', quality: 100 },
        { x: 0, y: 0, angle: -0.5, type: 'ending', quality: 1 },
      ],
    };
    const back = parseIsoTemplate(encodeIsoTemplate(template));
    expect(back.width).toBe(296);
    expect(back.quality).toBe(77);
    back.minutiae.forEach((m, i) => {
      const o = template.minutiae[i]!;
      expect(m.x).toBe(Math.round(o.x));
      expect(m.y).toBe(Math.round(o.y));
      expect(m.type).toBe(o.type);
      const d = Math.abs(((m.angle - o.angle) % TWO_PI) + TWO_PI) % TWO_PI;
      expect(Math.min(d, TWO_PI - d)).toBeLessThanOrEqual(TWO_PI / 512 + 1e-9);
    });
  });

  it('refuses values that do not fit their fields', () => {
    const base: FingerprintTemplate = {
      width: 100,
      height: 100,
      resolutionX: 197,
      resolutionY: 197,
      quality: 0,
      minutiae: [],
    };
    const m = { x: 1, y: 1, angle: 0, type: 'ending' as const, quality: 0 };
    expect(() => encodeIsoTemplate({ ...base, minutiae: [{ ...m, x: 100 }] })).toThrow(RangeError);
    expect(() => encodeIsoTemplate({ ...base, minutiae: [{ ...m, quality: 101 }] })).toThrow(RangeError);
    expect(() => encodeIsoTemplate({ ...base, minutiae: Array.from({ length: 256 }, () => m) })).toThrow(RangeError);
    expect(() => encodeIsoTemplate({ ...base, resolutionX: 0 })).toThrow(RangeError);
    expect(() => encodeIsoTemplate({ ...base, minutiae: [{ ...m, x: Number.NaN }] })).toThrow(RangeError);
  });
});
