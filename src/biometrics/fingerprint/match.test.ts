import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { biometricsDataDir } from '../evaluation/samples.ts';
import { extractMinutiae } from './extract.ts';
import { encodeIsoTemplate, parseIsoTemplate } from './iso19794-2.ts';
import {
  DEFAULT_THRESHOLD,
  LEVEL2_POLICY,
  decideMultiFinger,
  match,
  matchDetailed,
  prepare,
  type PreparedTemplate,
} from './match.ts';
import { normalizeAngle, type FingerprintTemplate } from './model.ts';
import { decodeTiff } from './tiff.ts';

const fingerprints = path.join(biometricsDataDir(), 'fingerprints');
const iso = (set: string, name: string) => parseIsoTemplate(readFileSync(path.join(fingerprints, set, `${name}.iso`)));

function loadSet(set: string): Map<string, PreparedTemplate> {
  const dir = path.join(fingerprints, set);
  return new Map(
    readdirSync(dir)
      .filter((f) => f.endsWith('.iso'))
      .sort()
      .map((f) => [f.slice(0, -4), prepare(iso(set, f.slice(0, -4)))]),
  );
}

/** Rotates a template by `angle` radians (counter-clockwise as seen) about (cx, cy), then shifts it. */
function moved(
  t: FingerprintTemplate,
  angle: number,
  cx: number,
  cy: number,
  dx: number,
  dy: number,
): FingerprintTemplate {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return {
    ...t,
    minutiae: t.minutiae.map((m) => {
      // image y points down, so a counter-clockwise turn on screen is clockwise in (x, y)
      const x = m.x - cx;
      const y = m.y - cy;
      return { ...m, x: cx + c * x + s * y + dx, y: cy - s * x + c * y + dy, angle: normalizeAngle(m.angle + angle) };
    }),
  };
}

describe('minutiae matcher', () => {
  const db2 = loadSet('fvc2002-db2-b');
  const get = (name: string) => db2.get(name)!;

  it('matches a template with itself at 1', () => {
    for (const t of db2.values()) expect(match(t, t)).toBeCloseTo(1, 9);
  });

  it('scores each finger’s second impression above every other finger (fvc2002-db2-b, templates)', () => {
    for (let f = 101; f <= 110; f++) {
      const genuine = match(get(`${f}_1`), get(`${f}_2`));
      for (let o = 101; o <= 110; o++) {
        if (o !== f) expect(genuine, `${f}_2 vs ${o}_1`).toBeGreaterThan(match(get(`${f}_1`), get(`${o}_1`)));
      }
    }
  });

  it('keeps genuine pairs above and impostor pairs below the threshold on images it extracted itself', () => {
    const image = (name: string) =>
      prepare(
        extractMinutiae(decodeTiff(readFileSync(path.join(fingerprints, 'fvc2002-db2-b', `${name}.tif`))), {
          dpi: 569,
        }),
      );
    const [a1, a2, b1] = [image('103_1'), image('103_2'), image('104_1')];
    expect(match(a1, a2)).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
    expect(match(a1, b1)).toBeLessThan(DEFAULT_THRESHOLD);
    expect(match(a2, b1)).toBeLessThan(DEFAULT_THRESHOLD);
  });

  it('is nearly symmetric', () => {
    const names = [...db2.keys()].slice(0, 40);
    const gaps: number[] = [];
    for (const a of names)
      for (const b of names) if (a < b) gaps.push(Math.abs(match(get(a), get(b)) - match(get(b), get(a))));
    gaps.sort((x, y) => x - y);
    expect(gaps[gaps.length >> 1]!).toBeLessThan(0.01);
    expect(gaps[gaps.length - 1]!).toBeLessThan(0.15);
  });

  it('is invariant to rotation and translation (within the ±60° it searches)', () => {
    const t = iso('fvc2002-db2-b', '105_1');
    const p = prepare(t);
    for (const [deg, dx, dy] of [
      [0, 60, -45],
      [25, -30, 20],
      [-40, 10, 80],
      [55, 0, 0],
    ] as const) {
      const m = moved(t, (deg * Math.PI) / 180, 150, 200, dx, dy);
      expect(match(p, prepare(m)), `${deg}°`).toBeGreaterThan(0.99);
      const d = matchDetailed(p, prepare(m));
      expect((d.rotation * 180) / Math.PI).toBeCloseTo(deg, 3);
      // the same after writing it as an ISO record (whole pixels, 1.4° angle steps), shifted to stay in the frame
      const shifted = moved(t, (deg * Math.PI) / 180, 150, 200, 0, 0);
      const minX = Math.min(...shifted.minutiae.map((q) => q.x));
      const minY = Math.min(...shifted.minutiae.map((q) => q.y));
      const framed = {
        ...shifted,
        width: 600,
        height: 600,
        minutiae: shifted.minutiae.map((q) => ({ ...q, x: q.x - minX + 5, y: q.y - minY + 5 })),
      };
      expect(match(p, prepare(parseIsoTemplate(encodeIsoTemplate(framed))))).toBeGreaterThan(0.9);
    }
    // beyond the searched rotation a print is not matched (fingers are not placed upside down)
    expect(match(p, prepare(moved(t, Math.PI / 2, 150, 200, 0, 0)))).toBeLessThan(DEFAULT_THRESHOLD);
  });

  it('rescales by the stated resolution', () => {
    const t = iso('fvc2002-db2-b', '107_3');
    const scaled: FingerprintTemplate = {
      ...t,
      resolutionX: 394,
      resolutionY: 394,
      minutiae: t.minutiae.map((m) => ({ ...m, x: m.x * 2, y: m.y * 2 })),
    };
    expect(match(prepare(t), prepare(scaled))).toBeGreaterThan(0.99);
  });

  it('tells the SourceAFIS matching record from the non-matching one', () => {
    const read = (n: string) =>
      prepare(parseIsoTemplate(readFileSync(path.join(fingerprints, 'format-samples', `sourceafis-iso-${n}.dat`))));
    expect(match(read('probe'), read('matching'))).toBeGreaterThan(0.99); // byte-identical in the source
    expect(match(read('probe'), read('nonmatching'))).toBeLessThan(DEFAULT_THRESHOLD);
  });

  it('gives 0 for templates too small to compare, and does not keep state between calls', () => {
    const empty = prepare({ width: 100, height: 100, resolutionX: 197, resolutionY: 197, quality: 0, minutiae: [] });
    expect(match(empty, get('101_1'))).toBe(0);
    expect(match(get('101_1'), empty)).toBe(0);
    const first = match(get('102_1'), get('102_3'));
    match(get('110_8'), get('101_2'));
    expect(match(get('102_1'), get('102_3'))).toBe(first);
  });
});

describe('multi-finger decision', () => {
  const t = 0.2;
  it('level 2 default: two fingers must each match', () => {
    expect(LEVEL2_POLICY).toEqual({ kind: 'atLeast', count: 2 });
    expect(decideMultiFinger([0.5, 0.3], t).accepted).toBe(true);
    expect(decideMultiFinger([0.9, 0.1], t)).toMatchObject({ accepted: false, matchingFingers: 1 });
    expect(decideMultiFinger([0.9, 0.1, 0.25], t)).toMatchObject({ accepted: true, matchingFingers: 2 });
    const one = decideMultiFinger([0.9], t);
    expect(one.accepted).toBe(false);
    expect(one.reason).toMatch(/needs 2/);
  });

  it('fused policy: mean of the best scores', () => {
    const policy = { kind: 'meanOfBest', fingers: 2 } as const;
    const fused = decideMultiFinger([0.35, 0.1, 0.0], t, policy);
    expect(fused.accepted).toBe(true);
    expect(fused.fusedScore).toBeCloseTo(0.225, 12);
    expect(decideMultiFinger([0.3, 0.05], t, policy).accepted).toBe(false);
    expect(decideMultiFinger([0.9], t, policy).accepted).toBe(false);
  });

  it('refuses scores outside 0–1 and meaningless policies', () => {
    expect(() => decideMultiFinger([1.2], t)).toThrow(RangeError);
    expect(() => decideMultiFinger([Number.NaN], t)).toThrow(RangeError);
    expect(() => decideMultiFinger([0.5], t, { kind: 'atLeast', count: 0 })).toThrow(RangeError);
  });
});
