/**
 * DET plot as hand-written SVG: FMR on x, FNMR on y, both on the normal-deviate (probit) scale
 * usual for DET curves (Martin et al., "The DET curve in assessment of detection task
 * performance", 1997). Rates of exactly 0 cannot be drawn on that scale and are pinned to the
 * axis minimum; the caption says so.
 */
import type { DetPoint } from './metrics.ts';

export interface DetSeries {
  label: string;
  points: readonly DetPoint[];
  color?: string;
  /** Operating point to mark (e.g. the decision threshold). */
  marker?: { fmr: number; fnmr: number; label: string };
}

export interface DetPlotOptions {
  title: string;
  /** Smallest and largest rate on the axes (default 0.001 and 0.6). */
  min?: number;
  max?: number;
  /** Smallest FMR and FNMR shown, when they differ from `min` (e.g. the FMR resolution). */
  fmrMin?: number;
  fnmrMin?: number;
  width?: number;
  height?: number;
  caption?: string;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf', '#e377c2'];

/** erf by its Maclaurin series (|x| ≤ 4 is plenty here; double precision to ~1e-10). */
function erf(x: number): number {
  if (x > 5) return 1;
  if (x < -5) return -1;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

function normalCdf(z: number): number {
  return 0.5 * (1 + erf(z / Math.SQRT2));
}

/** Inverse of the standard normal CDF by bisection (monotone, exact enough for plotting). */
export function probit(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probit needs 0 < p < 1, got ${p}`);
  let lo = -8;
  let hi = 8;
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function percent(p: number): string {
  const v = p * 100;
  return `${v < 1 ? v.toFixed(1).replace(/\.0$/, '') : v.toFixed(0)}%`;
}

/** Renders the DET curves of several series into one SVG document. */
export function detPlotSvg(series: readonly DetSeries[], options: DetPlotOptions): string {
  const max = options.max ?? 0.6;
  const xMin = options.fmrMin ?? options.min ?? 0.001;
  const yMin = options.fnmrMin ?? options.min ?? 0.001;
  const width = options.width ?? 760;
  const height = options.height ?? 560;
  const left = 70;
  const right = 250;
  const top = 40;
  const bottom = options.caption ? 90 : 60;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const zMax = probit(max);
  const zx = probit(xMin);
  const zy = probit(yMin);
  const sx = (p: number) => left + ((probit(Math.min(max, Math.max(xMin, p))) - zx) / (zMax - zx)) * plotW;
  const sy = (p: number) => top + plotH - ((probit(Math.min(max, Math.max(yMin, p))) - zy) / (zMax - zy)) * plotH;
  const f = (v: number) => v.toFixed(1);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(options.title)}</text>`);
  const ticks = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8].filter((t) => t <= max);
  let lastX = -Infinity;
  let lastY = Infinity;
  for (const t of ticks) {
    if (t >= xMin) {
      out.push(`<line x1="${f(sx(t))}" y1="${top}" x2="${f(sx(t))}" y2="${top + plotH}" stroke="#dddddd"/>`);
      if (sx(t) - lastX >= 34) {
        out.push(`<text x="${f(sx(t))}" y="${top + plotH + 16}" text-anchor="middle">${percent(t)}</text>`);
        lastX = sx(t);
      }
    }
    if (t >= yMin) {
      out.push(`<line x1="${left}" y1="${f(sy(t))}" x2="${left + plotW}" y2="${f(sy(t))}" stroke="#dddddd"/>`);
      if (lastY - sy(t) >= 14) {
        out.push(`<text x="${left - 6}" y="${f(sy(t) + 4)}" text-anchor="end">${percent(t)}</text>`);
        lastY = sy(t);
      }
    }
  }
  out.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333333"/>`);
  // EER diagonal
  out.push(
    `<line x1="${f(sx(Math.max(xMin, yMin)))}" y1="${f(sy(Math.max(xMin, yMin)))}" x2="${f(sx(max))}" y2="${f(sy(max))}" stroke="#999999" stroke-dasharray="4 4"/>`,
  );
  out.push(
    `<text x="${left + plotW / 2}" y="${top + plotH + 36}" text-anchor="middle">false match rate (FMR), probit scale</text>`,
  );
  out.push(
    `<text transform="translate(18 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">false non-match rate (FNMR), probit scale</text>`,
  );
  series.forEach((s, index) => {
    const color = s.color ?? PALETTE[index % PALETTE.length]!;
    // DET from step functions: the staircase through consecutive operating points, keeping only
    // the corners (points on a horizontal or vertical run in between are dropped)
    const xy: Array<[string, string]> = [];
    const add = (fmr: number, fnmr: number) => {
      const p: [string, string] = [f(sx(fmr)), f(sy(fnmr))];
      const last = xy[xy.length - 1];
      if (last && last[0] === p[0] && last[1] === p[1]) return;
      const before = xy[xy.length - 2];
      if (
        last &&
        before &&
        ((before[0] === last[0] && last[0] === p[0]) || (before[1] === last[1] && last[1] === p[1]))
      ) {
        xy[xy.length - 1] = p;
        return;
      }
      xy.push(p);
    };
    let prev: DetPoint | undefined;
    for (const p of s.points) {
      if (prev) add(p.fmr, prev.fnmr);
      add(p.fmr, p.fnmr);
      prev = p;
    }
    const pts = xy.map(([x, y]) => `${x},${y}`);
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.join(' ')}"/>`);
    if (s.marker) {
      out.push(
        `<circle cx="${f(sx(s.marker.fmr))}" cy="${f(sy(s.marker.fnmr))}" r="4.5" fill="${color}" stroke="#000000"/>`,
      );
    }
    const ly = top + 14 + index * 20;
    out.push(
      `<line x1="${left + plotW + 14}" y1="${ly - 4}" x2="${left + plotW + 36}" y2="${ly - 4}" stroke="${color}" stroke-width="3"/>`,
    );
    out.push(`<text x="${left + plotW + 42}" y="${ly}">${escapeXml(s.label)}</text>`);
  });
  if (series.some((s) => s.marker)) {
    const ly = top + 14 + series.length * 20 + 6;
    out.push(`<circle cx="${left + plotW + 25}" cy="${ly - 4}" r="4.5" fill="#ffffff" stroke="#000000"/>`);
    out.push(
      `<text x="${left + plotW + 42}" y="${ly}">${escapeXml(series.find((s) => s.marker)!.marker!.label)}</text>`,
    );
  }
  if (options.caption) {
    const words = options.caption.split(' ');
    let line = '';
    let y = height - bottom + 58;
    for (const w of words) {
      if ((line + ' ' + w).length > 118) {
        out.push(`<text x="${left}" y="${y}" font-size="11" fill="#444444">${escapeXml(line)}</text>`);
        y += 14;
        line = w;
      } else line = line ? `${line} ${w}` : w;
    }
    if (line) out.push(`<text x="${left}" y="${y}" font-size="11" fill="#444444">${escapeXml(line)}</text>`);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
