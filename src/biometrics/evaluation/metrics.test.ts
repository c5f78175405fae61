import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detPlotSvg, probit } from './det-svg.ts';
import { detCurve, equalErrorRate, errorRatesAt, summarize, thresholdForFmr } from './metrics.ts';
import { biometricsDataDir, readPairs } from './samples.ts';

describe('error rates', () => {
  const genuine = [0.9, 0.8, 0.7, 0.4];
  const impostor = [0.1, 0.2, 0.3, 0.5, 0.05];

  it('counts FMR and FNMR at a threshold (accept when score ≥ threshold)', () => {
    expect(errorRatesAt(genuine, impostor, 0.5)).toEqual({
      threshold: 0.5,
      fmr: 1 / 5,
      fnmr: 1 / 4,
      falseMatches: 1,
      falseNonMatches: 1,
      genuine: 4,
      impostor: 5,
    });
    expect(errorRatesAt(genuine, impostor, 0.7)).toMatchObject({ fmr: 0, fnmr: 0.25 });
    expect(errorRatesAt(genuine, impostor, 0)).toMatchObject({ fmr: 1, fnmr: 0 });
  });

  it('gives an EER of 0 for perfectly separated scores', () => {
    expect(equalErrorRate([0.6, 0.7, 0.9], [0.1, 0.2, 0.5]).eer).toBe(0);
    const e = equalErrorRate([0.6, 0.7], [0.1, 0.5]);
    expect(e.threshold).toBeGreaterThan(0.5);
    expect(e.threshold).toBeLessThanOrEqual(0.6);
  });

  it('gives an EER near 0.5 for identical distributions', () => {
    const same = Array.from({ length: 101 }, (_, i) => i / 100);
    expect(equalErrorRate(same, same).eer).toBeCloseTo(0.5, 1);
    const tied = [0.3, 0.3, 0.3];
    expect(equalErrorRate(tied, tied).eer).toBeCloseTo(0.5, 6);
  });

  it('interpolates between the thresholds around the crossing', () => {
    // genuine 0.4 sits below impostor 0.5: one error each way is unavoidable somewhere
    const e = equalErrorRate(genuine, impostor);
    expect(e.eer).toBeGreaterThan(0.19);
    expect(e.eer).toBeLessThan(0.26);
    // inverted scores: everything wrong
    expect(equalErrorRate([0.1, 0.2], [0.8, 0.9]).eer).toBeCloseTo(1, 6);
  });

  it('builds the DET curve from "accept all" to "reject all"', () => {
    const det = detCurve(genuine, impostor);
    expect(det[0]).toMatchObject({ fmr: 1, fnmr: 0 });
    expect(det[det.length - 1]).toMatchObject({ fmr: 0, fnmr: 1 });
    for (let i = 1; i < det.length; i++) {
      expect(det[i]!.threshold).toBeGreaterThan(det[i - 1]!.threshold);
      expect(det[i]!.fmr).toBeLessThanOrEqual(det[i - 1]!.fmr);
      expect(det[i]!.fnmr).toBeGreaterThanOrEqual(det[i - 1]!.fnmr);
    }
    expect(det).toHaveLength(new Set([...genuine, ...impostor]).size + 1);
  });

  it('finds the lowest threshold for a target FMR', () => {
    const t0 = thresholdForFmr(impostor, 0);
    expect(t0).toBeGreaterThan(0.5);
    expect(errorRatesAt(genuine, impostor, t0).fmr).toBe(0);
    const t20 = thresholdForFmr(impostor, 0.2);
    expect(errorRatesAt(genuine, impostor, t20).fmr).toBe(0.2);
    expect(t20).toBeGreaterThan(0.3);
    expect(t20).toBeLessThanOrEqual(0.5);
  });

  it('summarises and refuses bad input', () => {
    expect(summarize([3, 1, 2, 10])).toEqual({ count: 4, mean: 4, min: 1, max: 10, median: 2.5 });
    expect(() => detCurve([], [0.1])).toThrow(RangeError);
    expect(() => errorRatesAt([Number.NaN], [0.1], 0.5)).toThrow(RangeError);
    expect(() => thresholdForFmr([], 0.01)).toThrow(RangeError);
  });
});

describe('DET plot', () => {
  it('maps probabilities to normal deviates', () => {
    expect(probit(0.5)).toBeCloseTo(0, 8);
    expect(probit(0.975)).toBeCloseTo(1.959964, 5);
    expect(probit(0.001)).toBeCloseTo(-3.090232, 5);
    expect(() => probit(0)).toThrow(RangeError);
  });

  it('draws one labelled curve per series, escaping text and pinning zero rates to the axis', () => {
    const svg = detPlotSvg(
      [
        {
          label: 'set <A> & co',
          points: detCurve([0.9, 0.8, 0.4], [0.1, 0.5]),
          marker: { fmr: 0, fnmr: 0.33, label: 't=0.6' },
        },
        { label: 'set B', points: detCurve([0.9], [0.1]) },
      ],
      { title: 'DET', caption: 'small sets' },
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('set &lt;A&gt; &amp; co');
    expect(svg).not.toContain('NaN');
    expect(svg).toContain('false match rate');
    expect(svg).toContain('small sets');
  });
});

describe('shared samples', () => {
  it('finds the data beside the repository unless BIOMETRICS_DATA says otherwise', () => {
    expect(biometricsDataDir({})).toMatch(/shared[/\\]data[/\\]biometrics$/);
    expect(biometricsDataDir({ BIOMETRICS_DATA: '/elsewhere/bio' })).toBe(path.resolve('/elsewhere/bio'));
  });

  it('reads pair lists and refuses malformed ones', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pairs-'));
    const good = path.join(dir, 'good.csv');
    writeFileSync(good, 'a,b,label\nx/1.tif,x/2.tif,1\nx/1.tif,y/1.tif,0\n');
    expect(readPairs(good)).toEqual([
      { a: 'x/1.tif', b: 'x/2.tif', genuine: true },
      { a: 'x/1.tif', b: 'y/1.tif', genuine: false },
    ]);
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'a,b,label\nx/1.tif,x/2.tif,yes\n');
    expect(() => readPairs(bad)).toThrow(/bad.csv:2/);
    const shared = readPairs(path.join(biometricsDataDir(), 'fingerprints', 'pairs.csv'));
    expect(shared.filter((p) => p.genuine)).toHaveLength(6 * 280);
    expect(shared.filter((p) => !p.genuine)).toHaveLength(6 * 45);
  });
});
