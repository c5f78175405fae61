/**
 * Verification error rates from score lists (ISO/IEC 19795-1 vocabulary). Pure functions; a
 * comparison is accepted when its score is at or above the threshold.
 *
 *   FMR(t)  = impostor comparisons with score ≥ t / impostor comparisons
 *   FNMR(t) = genuine comparisons with score < t / genuine comparisons
 *
 * Both are step functions of t; the EER is where the two curves cross, interpolated linearly
 * between the neighbouring thresholds (so perfectly separated scores give 0 and identical
 * distributions about 0.5).
 */

export interface ErrorRates {
  threshold: number;
  fmr: number;
  fnmr: number;
  falseMatches: number;
  falseNonMatches: number;
  genuine: number;
  impostor: number;
}

export interface DetPoint {
  threshold: number;
  fmr: number;
  fnmr: number;
}

function checkScores(name: string, scores: readonly number[]): void {
  for (const s of scores) if (!Number.isFinite(s)) throw new RangeError(`${name} scores must be finite numbers`);
}

/** FMR and FNMR at one threshold. */
export function errorRatesAt(genuine: readonly number[], impostor: readonly number[], threshold: number): ErrorRates {
  checkScores('genuine', genuine);
  checkScores('impostor', impostor);
  const falseMatches = impostor.filter((s) => s >= threshold).length;
  const falseNonMatches = genuine.filter((s) => s < threshold).length;
  return {
    threshold,
    fmr: impostor.length ? falseMatches / impostor.length : 0,
    fnmr: genuine.length ? falseNonMatches / genuine.length : 0,
    falseMatches,
    falseNonMatches,
    genuine: genuine.length,
    impostor: impostor.length,
  };
}

/**
 * The DET curve: one point per distinct score used as threshold, ascending, plus a final point
 * above every score (FMR 0, FNMR 1). The first point accepts everything (FMR 1, FNMR 0).
 */
export function detCurve(genuine: readonly number[], impostor: readonly number[]): DetPoint[] {
  checkScores('genuine', genuine);
  checkScores('impostor', impostor);
  if (genuine.length === 0 || impostor.length === 0) throw new RangeError('DET needs genuine and impostor scores');
  const g = Float64Array.from(genuine).sort();
  const im = Float64Array.from(impostor).sort();
  const thresholds = Float64Array.from(new Set([...g, ...im])).sort();
  const points: DetPoint[] = [];
  let gi = 0; // genuine scores below the threshold
  let ii = 0; // impostor scores below the threshold
  for (const t of thresholds) {
    while (gi < g.length && g[gi]! < t) gi++;
    while (ii < im.length && im[ii]! < t) ii++;
    points.push({ threshold: t, fmr: (im.length - ii) / im.length, fnmr: gi / g.length });
  }
  const top = thresholds[thresholds.length - 1]!;
  points.push({ threshold: top + Math.max(1e-9, Math.abs(top) * 1e-9), fmr: 0, fnmr: 1 });
  return points;
}

export interface EqualErrorRate {
  eer: number;
  /** Threshold at the crossing (interpolated between the two neighbouring scores). */
  threshold: number;
}

/** Equal error rate, linearly interpolated where FNMR − FMR changes sign. */
export function equalErrorRate(genuine: readonly number[], impostor: readonly number[]): EqualErrorRate {
  const det = detCurve(genuine, impostor);
  for (let k = 0; k < det.length; k++) {
    const p = det[k]!;
    const d = p.fnmr - p.fmr;
    if (d === 0) return { eer: p.fmr, threshold: p.threshold };
    if (d > 0) {
      const q = det[k - 1]!; // exists: the first point has FNMR 0 ≤ FMR 1
      const dq = q.fnmr - q.fmr; // < 0
      const t = dq / (dq - d);
      return {
        eer: q.fmr + t * (p.fmr - q.fmr),
        threshold: q.threshold + t * (p.threshold - q.threshold),
      };
    }
  }
  // unreachable: the last point has FNMR 1 > FMR 0
  return { eer: 0.5, threshold: NaN };
}

/**
 * Lowest threshold whose FMR is at most `targetFmr` on these impostor scores (the operating
 * point for a required false match rate). With few impostor comparisons the achievable FMRs
 * are multiples of 1/count: say so next to the result.
 */
export function thresholdForFmr(impostor: readonly number[], targetFmr: number): number {
  checkScores('impostor', impostor);
  if (impostor.length === 0) throw new RangeError('no impostor scores');
  const sorted = Float64Array.from(impostor).sort();
  const allowed = Math.floor(targetFmr * sorted.length + 1e-9); // false matches allowed
  if (allowed >= sorted.length) return sorted[0]!;
  // accept strictly above the (allowed+1)-th highest impostor score
  const limit = sorted[sorted.length - 1 - allowed]!;
  return nextUp(limit);
}

function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  buf.setBigUint64(0, x > 0 ? bits + 1n : bits - 1n);
  return buf.getFloat64(0);
}

export interface ScoreSummary {
  count: number;
  mean: number;
  min: number;
  max: number;
  median: number;
}

export function summarize(scores: readonly number[]): ScoreSummary {
  checkScores('', scores);
  if (scores.length === 0) return { count: 0, mean: NaN, min: NaN, max: NaN, median: NaN };
  const s = Float64Array.from(scores).sort();
  const mid = s.length >> 1;
  return {
    count: s.length,
    mean: s.reduce((a, b) => a + b, 0) / s.length,
    min: s[0]!,
    max: s[s.length - 1]!,
    median: s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2,
  };
}
