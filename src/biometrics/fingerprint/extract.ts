/**
 * Minutiae extraction from an 8-bit greyscale fingerprint image (about 500 dpi), after the
 * classical pipeline of L. Hong, Y. Wan and A. Jain, "Fingerprint image enhancement: algorithm
 * and performance evaluation", IEEE TPAMI 20(8), 1998:
 *
 *  1. local normalisation: (local mean − pixel) / (local standard deviation + 4), so ridges are
 *     positive whatever the contrast;
 *  2. segmentation: blocks whose grey-level spread and orientation coherence are high, cleaned
 *     (majority smoothing, largest component, holes filled);
 *  3. orientation field: averaged squared gradients (Kass & Witkin; Bazen & Gerez), then smoothed
 *     again as a doubled-angle vector field; the coherence measures how clear the ridges are;
 *  4. ridge period: per block, the distance between peaks of the grey-level signature taken
 *     across the ridges (Hong et al.'s "x-signature"); the image's median is used;
 *  5. contextual enhancement: an even-symmetric Gabor filter tuned to the local orientation (16
 *     precomputed orientations) and the ridge period, applied as two oriented 1-D passes (the
 *     kernel is separable in its rotated frame);
 *  6. binarisation (sign of the filtered image) and thinning (./skeleton.ts);
 *  7. minutiae by crossing number (1 ending, 3 bifurcation), direction from the orientation
 *     field with the sense taken from tracing the skeleton, quality from coherence and distance
 *     to the border;
 *  8. removal of false minutiae: near the border of the print, short spurs, short ridge pieces,
 *     bridges and small lakes, broken ridges (two facing endings), and pairs too close together.
 *
 * Everything works on typed arrays sized once per image, and each stage's pixel loops sit in a
 * small function of their own so V8 optimises them early; the Gabor passes (about 40 taps per
 * pixel) and the orientation field dominate the cost.
 */
import { ImageFormatError } from './errors.ts';
import { boxFilter, distanceToMaskEdge, quantile } from './image-ops.ts';
import {
  CROSSING,
  NEIGHBOURS,
  STOP_END,
  STOP_JUNCTION,
  codeAt,
  neighbourOffsets,
  thin,
  trace,
  type TraceResult,
} from './skeleton.ts';
import {
  TWO_PI,
  dpiToPixelsPerCm,
  normalizeAngle,
  type FingerprintTemplate,
  type GrayImage,
  type Minutia,
} from './model.ts';

export interface ExtractOptions {
  /** Resolution of the image; default: the file's own, else 500. */
  dpi?: number;
  /** Keep at most this many minutiae (the best by quality). Default 100. */
  maxMinutiae?: number;
}

export interface ExtractionDetails {
  template: FingerprintTemplate;
  /** 1 inside the fingerprint area (row-major, image size). */
  mask: Uint8Array;
  /** Ridge orientation per pixel in radians [0, π), image axes (y down). */
  orientation: Float32Array;
  /** Orientation coherence per pixel, 0–1. */
  coherence: Float32Array;
  /** The ridge skeleton (1 = ridge), image size. */
  skeleton: Uint8Array;
  /** Median ridge period in pixels. */
  ridgePeriod: number;
  /** Minutiae found by crossing number before the false-minutiae filters. */
  candidates: number;
  /** Milliseconds per stage. */
  timings: Record<string, number>;
}

const ORIENTATIONS = 16;

/** Tuning of the false-minutiae filters, in ridge periods unless stated. */
export const EXTRACT_PARAMETERS = {
  /** Minutiae closer than this to the edge of the print are dropped. */
  border: 1.0,
  /** An ending whose ridge reaches a junction or another ending within this is false (spur, short piece). */
  spur: 2.0,
  /** A bifurcation whose branch reaches another junction within this is false (bridge, lake). */
  shortLink: 1.0,
  /** ... and within this when the branch runs across the ridge flow (a bridge between ridges). */
  bridge: 2.0,
  /** Angle from the ridge flow beyond which a branch runs "across" (radians). */
  bridgeAngle: (50 * Math.PI) / 180,
  /** Two endings facing each other within this are a broken ridge. */
  facing: 1.3,
  /** Any two minutiae closer than this are both dropped. */
  tooClose: 0.45,
  /** Minutiae below this quality (0–100) are dropped. */
  minQuality: 0,
  /** Gabor envelope, in ridge periods, along and across the ridges. */
  sigmaAlong: 0.6,
  sigmaAcross: 0.42,
  /** Radius of the doubled-angle smoothing of the orientation field (pixels at 500 dpi). */
  orientationSmoothing: 12,
  /** Blocks with a lower mean orientation coherence are background. */
  minBlockCoherence: 0.2,
};
const XP = EXTRACT_PARAMETERS;

/** Extracts a minutiae template from a greyscale image. */
export function extractMinutiae(image: GrayImage, options: ExtractOptions = {}): FingerprintTemplate {
  return extractDetailed(image, options).template;
}

/** The same as `extractMinutiae`, with the intermediate maps (for tests, tuning and display). */
export function extractDetailed(image: GrayImage, options: ExtractOptions = {}): ExtractionDetails {
  const { width: w, height: h, data } = image;
  if (!Number.isInteger(w) || !Number.isInteger(h) || w < 64 || h < 64) {
    throw new ImageFormatError('INVALID_FIELD', `a ${w}x${h} image is too small for a fingerprint (64x64 at least)`);
  }
  if (data.length !== w * h)
    throw new ImageFormatError('TRUNCATED', `pixel data holds ${data.length} bytes, not ${w * h}`);
  const dpi = options.dpi ?? image.dpi ?? 500;
  if (!(dpi >= 250 && dpi <= 1200)) throw new RangeError(`resolution ${dpi} dpi is outside 250–1200`);
  const maxMinutiae = options.maxMinutiae ?? 100;
  const scale = dpi / 500;
  const n = w * h;
  const timings: Record<string, number> = {};
  let clock = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    timings[name] = now - clock;
    clock = now;
  };

  const tmp = new Float32Array(n);
  const { norm, spread } = normalise(data, w, h, scale, tmp);
  lap('normalise');
  const { orientation, coherence } = orientationField(norm, w, h, scale, tmp);
  lap('orientation');
  const block = Math.max(8, Math.round(16 * scale));
  const mask = segment(spread, coherence, w, h, block);
  const edgeDistance = distanceToMaskEdge(mask, w, h);
  lap('segment');
  const ridgePeriod = estimateRidgePeriod(norm, orientation, coherence, mask, w, h, block, 9 * scale);
  lap('period');
  const sw = w + 2;
  const sh = h + 2;
  const skel = enhanceAndBinarise(norm, orientation, mask, w, h, ridgePeriod);
  lap('enhance');
  thin(skel, sw, sh);
  lap('thin');

  // 7. minutiae ---------------------------------------------------------------------------------
  const off = neighbourOffsets(sw);
  const period = ridgePeriod;
  const spurSteps = Math.round(XP.spur * period);
  const traceSteps = Math.max(spurSteps, Math.round(XP.bridge * period));
  const markStep = Math.max(4, Math.round(0.9 * period));
  const visited = new Uint8Array(sw * sh);
  const touched = new Int32Array(traceSteps + 16);
  const result: TraceResult = { stop: 0, steps: 0, end: 0, mark: 0 };

  interface Candidate {
    p: number; // padded index
    x: number;
    y: number;
    ending: boolean;
    dir: number; // image-axes direction (y down), radians
    quality: number;
    dead: boolean;
  }
  const candidates: Candidate[] = [];
  const byPixel = new Map<number, Candidate>();
  const links: Array<[Candidate, number, number]> = []; // (from, stop kind, padded end) for short traces
  const borderMin = XP.border * period;
  for (const p of crossingPixels(skel, w, h, off)) {
    const x = (p % sw) - 1;
    const y = Math.floor(p / sw) - 1;
    const c: Candidate = { p, x, y, ending: CROSSING[codeAt(skel, p, off)] === 1, dir: 0, quality: 0, dead: false };
    candidates.push(c);
    byPixel.set(p, c);
    if (edgeDistance[y * w + x]! < borderMin) c.dead = true;
  }
  const candidateCount = candidates.length;
  const px = (p: number) => (p % sw) - 1;
  const py = (p: number) => Math.floor(p / sw) - 1;
  for (const c of candidates) {
    const i = c.y * w + c.x;
    let traced: number;
    if (c.ending) {
      let first = -1;
      for (let k = 0; k < 8 && first < 0; k += 2) if (skel[c.p + off[k]!]) first = c.p + off[k]!;
      for (let k = 1; k < 8 && first < 0; k += 2) if (skel[c.p + off[k]!]) first = c.p + off[k]!;
      if (first < 0) {
        c.dead = true; // an isolated dot
        continue;
      }
      trace(skel, off, visited, touched, c.p, first, spurSteps, markStep, result);
      traced = Math.atan2(py(result.mark) - c.y, px(result.mark) - c.x);
      if (result.stop !== 0 && result.steps < spurSteps) links.push([c, result.stop, result.end]);
    } else {
      // one representative neighbour per branch (runs of set neighbours around the pixel)
      const dirs: number[] = [];
      for (let k = 0; k < 8; k++) {
        const q = c.p + off[k]!;
        const prevSet = skel[c.p + off[(k + 7) & 7]!];
        if (!skel[q] || prevSet) continue;
        // start of a run; prefer its 4-neighbour if the run has one
        let rep = q;
        if (k % 2 === 1 && skel[c.p + off[(k + 1) & 7]!]) rep = c.p + off[(k + 1) & 7]!;
        trace(skel, off, visited, touched, c.p, rep, traceSteps, markStep, result);
        const branch = Math.atan2(py(result.mark) - c.y, px(result.mark) - c.x);
        dirs.push(branch);
        if (result.stop === STOP_JUNCTION) {
          const offFlow = Math.min(
            angleDistance(branch, orientation[c.y * w + c.x]!),
            angleDistance(branch, orientation[c.y * w + c.x]! + Math.PI),
          );
          if (
            result.steps <= XP.shortLink * period ||
            (offFlow > XP.bridgeAngle && result.steps <= XP.bridge * period)
          ) {
            links.push([c, STOP_JUNCTION, result.end]);
          }
        }
      }
      if (dirs.length !== 3) {
        c.dead = true;
        continue;
      }
      // the stem is the branch farthest in angle from the other two; the minutia points away from it
      let stem = 0;
      let best = -1;
      for (let a = 0; a < 3; a++) {
        const d1 = angleDistance(dirs[a]!, dirs[(a + 1) % 3]!);
        const d2 = angleDistance(dirs[a]!, dirs[(a + 2) % 3]!);
        if (d1 + d2 > best) {
          best = d1 + d2;
          stem = a;
        }
      }
      traced = dirs[stem]! + Math.PI;
    }
    // direction: the orientation field's line, pointed the way the skeleton goes
    const o = orientation[i]!;
    c.dir = angleDistance(o, traced) <= Math.PI / 2 ? o : o + Math.PI;
    const clarity = Math.min(1, coherence[i]! / 0.7);
    const border = Math.min(1, edgeDistance[i]! / (3 * period));
    c.quality = Math.max(1, Math.round(100 * clarity * (0.5 + 0.5 * border)));
  }
  lap('minutiae');

  // 8. false minutiae ---------------------------------------------------------------------------
  const near = (p: number): Candidate | undefined => {
    const direct = byPixel.get(p);
    if (direct) return direct;
    for (let k = 0; k < 8; k++) {
      const c = byPixel.get(p + off[k]!);
      if (c) return c;
    }
    return undefined;
  };
  for (const [c, stop, end] of links) {
    const other = near(end);
    if (stop === STOP_END && c.ending) {
      // a short ridge piece: both its ends are false
      c.dead = true;
      if (other) other.dead = true;
    } else if (stop === STOP_JUNCTION) {
      // an ending on a short spur, or a bifurcation bridging to another close bifurcation
      c.dead = true;
      if (other) other.dead = true;
    }
  }
  const facing = XP.facing * period;
  const tooClose = XP.tooClose * period;
  for (let a = 0; a < candidates.length; a++) {
    const ca = candidates[a]!;
    for (let b = a + 1; b < candidates.length; b++) {
      const cb = candidates[b]!;
      const dx = cb.x - ca.x;
      const dy = cb.y - ca.y;
      if (Math.abs(dx) > facing || Math.abs(dy) > facing) continue;
      const d = Math.hypot(dx, dy);
      if (d < tooClose) {
        ca.dead = true;
        cb.dead = true;
        continue;
      }
      if (ca.ending && cb.ending && d < facing) {
        // broken ridge: two endings pointing away from each other along the line joining them
        const gap = Math.atan2(dy, dx);
        if (
          angleDistance(ca.dir, cb.dir) > (2 * Math.PI) / 3 &&
          angleDistance(ca.dir, gap + Math.PI) < Math.PI / 4 &&
          angleDistance(cb.dir, gap) < Math.PI / 4
        ) {
          ca.dead = true;
          cb.dead = true;
        }
      }
    }
  }
  let kept = candidates.filter((c) => !c.dead && c.quality >= XP.minQuality);
  if (kept.length > maxMinutiae) kept = kept.sort((a, b) => b.quality - a.quality).slice(0, maxMinutiae);
  const minutiae: Minutia[] = kept.map((c) => ({
    x: c.x,
    y: c.y,
    // image axes have y down; ISO angles are counter-clockwise as seen
    angle: normalizeAngle(-c.dir),
    type: c.ending ? 'ending' : 'bifurcation',
    quality: c.quality,
  }));
  lap('filter');

  let areaCoherence = 0;
  let areaCount = 0;
  for (let i = 0; i < n; i++) {
    if (mask[i]) {
      areaCoherence += coherence[i]!;
      areaCount++;
    }
  }
  const skeleton = new Uint8Array(n);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) skeleton[y * w + x] = skel[(y + 1) * sw + x + 1]!;
  const ppcm = dpiToPixelsPerCm(dpi);
  return {
    template: {
      width: w,
      height: h,
      resolutionX: ppcm,
      resolutionY: ppcm,
      minutiae,
      quality: areaCount === 0 ? 0 : Math.round(Math.min(100, (100 * areaCoherence) / areaCount / 0.7)),
    },
    mask,
    orientation,
    coherence,
    skeleton,
    ridgePeriod,
    candidates: candidateCount,
    timings,
  };
}

/** (local mean − pixel) / (local standard deviation + 4), clipped to ±2.5; ridges positive. */
function normalise(
  data: Uint8Array,
  w: number,
  h: number,
  scale: number,
  tmp: Float32Array,
): { norm: Float32Array; spread: Float32Array } {
  const n = w * h;
  const src = new Float32Array(n);
  for (let i = 0; i < n; i++) src[i] = data[i]!;
  const rNorm = Math.max(4, Math.round(9 * scale));
  const mean = new Float32Array(n);
  boxFilter(src, mean, w, h, rNorm, tmp);
  const spread = new Float32Array(n);
  for (let i = 0; i < n; i++) spread[i] = src[i]! * src[i]!;
  boxFilter(spread, spread, w, h, rNorm, tmp);
  const norm = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const m = mean[i]!;
    const sd = Math.sqrt(Math.max(0, spread[i]! - m * m));
    spread[i] = sd;
    let v = (m - src[i]!) / (sd + 4);
    if (v > 2.5) v = 2.5;
    else if (v < -2.5) v = -2.5;
    norm[i] = v;
  }
  return { norm, spread };
}

/** Squared Sobel gradients of the image into gxx, gyy, gxy (borders left at 0). */
function gradientTensor(
  norm: Float32Array,
  w: number,
  h: number,
  gxx: Float32Array,
  gyy: Float32Array,
  gxy: Float32Array,
): void {
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const a = norm[i - w - 1]!,
        b = norm[i - w]!,
        c = norm[i - w + 1]!,
        d = norm[i - 1]!,
        f = norm[i + 1]!,
        g = norm[i + w - 1]!,
        k = norm[i + w]!,
        l = norm[i + w + 1]!;
      const gx = c + 2 * f + l - a - 2 * d - g;
      const gy = g + 2 * k + l - a - 2 * b - c;
      gxx[i] = gx * gx;
      gyy[i] = gy * gy;
      gxy[i] = gx * gy;
    }
  }
}

/**
 * Ridge orientation (radians [0, π), image axes) and coherence per pixel: averaged squared
 * gradients, then the coherence-weighted doubled-angle vectors smoothed again.
 */
function orientationField(
  norm: Float32Array,
  w: number,
  h: number,
  scale: number,
  tmp: Float32Array,
): { orientation: Float32Array; coherence: Float32Array } {
  const n = w * h;
  const gxx = new Float32Array(n);
  const gyy = new Float32Array(n);
  const gxy = new Float32Array(n);
  gradientTensor(norm, w, h, gxx, gyy, gxy);
  const rGrad = Math.max(3, Math.round(7 * scale));
  boxFilter(gxx, gxx, w, h, rGrad, tmp);
  boxFilter(gyy, gyy, w, h, rGrad, tmp);
  boxFilter(gxy, gxy, w, h, rGrad, tmp);
  const coherence = new Float32Array(n);
  const vx = gxx; // reused: doubled-angle vector weighted by coherence
  const vy = gyy;
  for (let i = 0; i < n; i++) {
    const a = gxx[i]! - gyy[i]!;
    const b = 2 * gxy[i]!;
    const e = gxx[i]! + gyy[i]!;
    const mag = Math.sqrt(a * a + b * b);
    const coh = e > 1e-6 ? mag / e : 0;
    coherence[i] = coh;
    const s = mag > 1e-9 ? coh / mag : 0;
    vx[i] = a * s;
    vy[i] = b * s;
  }
  const rSmooth = Math.max(2, Math.round(XP.orientationSmoothing * scale));
  for (let pass = 0; pass < 2; pass++) {
    boxFilter(vx, vx, w, h, rSmooth, tmp);
    boxFilter(vy, vy, w, h, rSmooth, tmp);
  }
  const orientation = gxy; // reused
  for (let i = 0; i < n; i++) {
    // the gradient direction is half the doubled angle; ridges run perpendicular to it
    let t = 0.5 * Math.atan2(vy[i]!, vx[i]!) + Math.PI / 2;
    if (t >= Math.PI) t -= Math.PI;
    orientation[i] = t;
  }
  return { orientation, coherence };
}

/** Foreground mask from block grey-level spread and coherence, cleaned (see cleanBlockMask). */
function segment(spread: Float32Array, coherence: Float32Array, w: number, h: number, block: number): Uint8Array {
  const bw = Math.ceil(w / block);
  const bh = Math.ceil(h / block);
  const blockSpread = new Float32Array(bw * bh);
  const blockCoherence = new Float32Array(bw * bh);
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      let s = 0;
      let c = 0;
      let cnt = 0;
      const y1 = Math.min(h, (by + 1) * block);
      const x1 = Math.min(w, (bx + 1) * block);
      for (let y = by * block; y < y1; y++) {
        for (let x = bx * block; x < x1; x++) {
          s += spread[y * w + x]!;
          c += coherence[y * w + x]!;
          cnt++;
        }
      }
      blockSpread[by * bw + bx] = s / cnt;
      blockCoherence[by * bw + bx] = c / cnt;
    }
  }
  const spreadThreshold = Math.max(8, 0.4 * quantile(blockSpread, 0.9));
  const rawBlockMask = new Uint8Array(bw * bh);
  for (let b = 0; b < bw * bh; b++) {
    rawBlockMask[b] = blockSpread[b]! > spreadThreshold && blockCoherence[b]! > XP.minBlockCoherence ? 1 : 0;
  }
  const blockMask = cleanBlockMask(rawBlockMask, bw, bh);
  const mask = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = Math.floor(y / block) * bw;
    for (let x = 0; x < w; x++) mask[y * w + x] = blockMask[row + Math.floor(x / block)]!;
  }
  return mask;
}

/**
 * Gabor enhancement as two oriented 1-D passes (the kernel is separable in its rotated frame):
 * a Gaussian along the ridge over the whole image, then a Gabor across it inside the mask. The
 * sign of the result is the binary ridge image, returned with a one-pixel zero frame
 * ((w + 2) × (h + 2)) for thinning.
 */
function enhanceAndBinarise(
  norm: Float32Array,
  orientation: Float32Array,
  mask: Uint8Array,
  w: number,
  h: number,
  period: number,
): Uint8Array {
  const n = w * h;
  const bank = gaborBank(period, w);
  const pad = bank.radius;
  const pw = w + 2 * pad;
  const padded = new Float32Array(pw * (h + 2 * pad));
  for (let y = 0; y < h; y++) padded.set(norm.subarray(y * w, y * w + w), (y + pad) * pw + pad);
  const smoothed = new Float32Array(padded.length);
  const step = Math.PI / ORIENTATIONS;
  const orientationIndex = new Uint8Array(n);
  for (let i = 0; i < n; i++) orientationIndex[i] = Math.round(orientation[i]! / step) % ORIENTATIONS;
  filterAlong(padded, smoothed, orientationIndex, w, h, pad, bank.alongOffsets, bank.alongWeights);
  const skel = new Uint8Array((w + 2) * (h + 2));
  filterAcrossAndBinarise(smoothed, skel, orientationIndex, mask, w, h, pad, bank.acrossOffsets, bank.acrossWeights);
  return skel;
}

function filterAlong(
  src: Float32Array,
  dst: Float32Array,
  orientationIndex: Uint8Array,
  w: number,
  h: number,
  pad: number,
  offsetsByOrientation: Int32Array[],
  weightsByOrientation: Float32Array[],
): void {
  const pw = w + 2 * pad;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = orientationIndex[y * w + x]!;
      const offsets = offsetsByOrientation[o]!;
      const weights = weightsByOrientation[o]!;
      const centre = (y + pad) * pw + x + pad;
      let acc = 0;
      for (let k = 0; k < offsets.length; k++) acc += src[centre + offsets[k]!]! * weights[k]!;
      dst[centre] = acc;
    }
  }
}

function filterAcrossAndBinarise(
  src: Float32Array,
  skel: Uint8Array,
  orientationIndex: Uint8Array,
  mask: Uint8Array,
  w: number,
  h: number,
  pad: number,
  offsetsByOrientation: Int32Array[],
  weightsByOrientation: Float32Array[],
): void {
  const pw = w + 2 * pad;
  const sw = w + 2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!mask[i]) continue;
      const o = orientationIndex[i]!;
      const offsets = offsetsByOrientation[o]!;
      const weights = weightsByOrientation[o]!;
      const centre = (y + pad) * pw + x + pad;
      let acc = 0;
      for (let k = 0; k < offsets.length; k++) acc += src[centre + offsets[k]!]! * weights[k]!;
      if (acc > 0) skel[(y + 1) * sw + x + 1] = 1;
    }
  }
}

/** Skeleton pixels (padded indices) with crossing number 1 (ending) or 3 (bifurcation). */
function crossingPixels(skel: Uint8Array, w: number, h: number, off: Int32Array): Int32Array {
  const sw = w + 2;
  const found: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = (y + 1) * sw + x + 1;
      if (!skel[p]) continue;
      const code = codeAt(skel, p, off);
      const cn = CROSSING[code]!;
      if (cn === 1 || (cn === 3 && NEIGHBOURS[code]! <= 4)) found.push(p);
    }
  }
  return Int32Array.from(found);
}

/** Smallest absolute difference between two angles, 0–π. */
function angleDistance(a: number, b: number): number {
  const d = Math.abs(normalizeAngle(a - b));
  return d > Math.PI ? TWO_PI - d : d;
}

/** Majority smoothing, largest 4-connected component, holes filled. */
function cleanBlockMask(mask: Uint8Array, bw: number, bh: number): Uint8Array {
  let cur = mask;
  for (let pass = 0; pass < 2; pass++) {
    const next = new Uint8Array(bw * bh);
    for (let y = 0; y < bh; y++) {
      for (let x = 0; x < bw; x++) {
        let on = 0;
        let all = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const yy = y + dy;
            const xx = x + dx;
            if (yy < 0 || yy >= bh || xx < 0 || xx >= bw) continue;
            all++;
            on += cur[yy * bw + xx]!;
          }
        }
        next[y * bw + x] = on * 2 > all ? 1 : 0;
      }
    }
    cur = next;
  }
  // largest component
  const label = new Int32Array(bw * bh);
  const stack: number[] = [];
  let bestLabel = 0;
  let bestSize = 0;
  let nextLabel = 0;
  for (let s = 0; s < bw * bh; s++) {
    if (!cur[s] || label[s]) continue;
    nextLabel++;
    let size = 0;
    stack.push(s);
    label[s] = nextLabel;
    while (stack.length) {
      const b = stack.pop()!;
      size++;
      const x = b % bw;
      const y = (b - x) / bw;
      const around = [x > 0 ? b - 1 : -1, x < bw - 1 ? b + 1 : -1, y > 0 ? b - bw : -1, y < bh - 1 ? b + bw : -1];
      for (const q of around) {
        if (q >= 0 && cur[q] && !label[q]) {
          label[q] = nextLabel;
          stack.push(q);
        }
      }
    }
    if (size > bestSize) {
      bestSize = size;
      bestLabel = nextLabel;
    }
  }
  const out = new Uint8Array(bw * bh);
  for (let b = 0; b < bw * bh; b++) out[b] = label[b] === bestLabel && bestLabel > 0 ? 1 : 0;
  // fill holes: background not reachable from the frame
  const outside = new Uint8Array(bw * bh);
  for (let b = 0; b < bw * bh; b++) {
    const x = b % bw;
    const y = (b - x) / bw;
    if ((x === 0 || y === 0 || x === bw - 1 || y === bh - 1) && !out[b]) {
      outside[b] = 1;
      stack.push(b);
    }
  }
  while (stack.length) {
    const b = stack.pop()!;
    const x = b % bw;
    const y = (b - x) / bw;
    const around = [x > 0 ? b - 1 : -1, x < bw - 1 ? b + 1 : -1, y > 0 ? b - bw : -1, y < bh - 1 ? b + bw : -1];
    for (const q of around) {
      if (q >= 0 && !out[q] && !outside[q]) {
        outside[q] = 1;
        stack.push(q);
      }
    }
  }
  for (let b = 0; b < bw * bh; b++) if (!outside[b]) out[b] = 1;
  return out;
}

/**
 * Median ridge period over clear blocks: the grey-level signature across the ridges (averaged
 * along them) and the mean distance between its peaks.
 */
function estimateRidgePeriod(
  norm: Float32Array,
  orientation: Float32Array,
  coherence: Float32Array,
  mask: Uint8Array,
  w: number,
  h: number,
  block: number,
  nominal: number,
): number {
  const half = Math.round(2 * block);
  const along = Math.max(3, Math.round(block / 3));
  const signature = new Float32Array(2 * half + 1);
  const periods: number[] = [];
  for (let cy = block; cy < h - block; cy += block) {
    for (let cx = block; cx < w - block; cx += block) {
      const i = cy * w + cx;
      if (!mask[i] || coherence[i]! < 0.5) continue;
      const t = orientation[i]!;
      const tx = Math.cos(t);
      const ty = Math.sin(t);
      // across the ridges: (−ty, tx)
      let valid = true;
      for (let k = -half; k <= half && valid; k++) {
        let s = 0;
        for (let m = -along; m <= along; m++) {
          const x = Math.round(cx - k * ty + m * tx);
          const y = Math.round(cy + k * tx + m * ty);
          if (x < 0 || y < 0 || x >= w || y >= h || !mask[y * w + x]) {
            valid = false;
            break;
          }
          s += norm[y * w + x]!;
        }
        signature[k + half] = s;
      }
      if (!valid) continue;
      let first = -1;
      let last = -1;
      let peaks = 0;
      for (let k = 1; k < signature.length - 1; k++) {
        if (signature[k]! > signature[k - 1]! && signature[k]! >= signature[k + 1]! && signature[k]! > 0) {
          if (first < 0) first = k;
          last = k;
          peaks++;
        }
      }
      if (peaks < 3) continue;
      const p = (last - first) / (peaks - 1);
      if (p >= 0.5 * nominal && p <= 1.8 * nominal) periods.push(p);
    }
  }
  if (periods.length < 4) return nominal;
  return Math.min(1.5 * nominal, Math.max(0.67 * nominal, quantile(periods, 0.5)));
}

interface GaborBank {
  /** Padding the two passes need around the image. */
  radius: number;
  /** Per orientation: tap offsets in the padded image (row stride = width + 2·radius) and weights. */
  alongOffsets: Int32Array[];
  alongWeights: Float32Array[];
  acrossOffsets: Int32Array[];
  acrossWeights: Float32Array[];
}

const bankCache = new Map<string, GaborBank>();

/**
 * The even-symmetric Gabor filter exp(−a²/2σa² − c²/2σc²)·cos(2πc/T), with a the coordinate along
 * the ridge and c across it, factored into a Gaussian along the ridge and a 1-D Gabor across it,
 * for ORIENTATIONS directions. Taps sit on the nearest pixels of each line and are weighted by
 * their true projected coordinate; the across pass is zero-mean with unit gain on a ridge
 * pattern of period T.
 */
function gaborBank(period: number, width: number): GaborBank {
  const key = `${period.toFixed(2)}/${width}/${XP.sigmaAlong}/${XP.sigmaAcross}`;
  const cached = bankCache.get(key);
  if (cached) return cached;
  const sigmaAlong = XP.sigmaAlong * period;
  const sigmaAcross = XP.sigmaAcross * period;
  const reachAlong = Math.ceil(2.5 * sigmaAlong);
  const reachAcross = Math.ceil(2.5 * sigmaAcross);
  const radius = reachAlong + reachAcross + 1;
  const pw = width + 2 * radius;
  const bank: GaborBank = { radius, alongOffsets: [], alongWeights: [], acrossOffsets: [], acrossWeights: [] };
  for (let o = 0; o < ORIENTATIONS; o++) {
    const t = (o * Math.PI) / ORIENTATIONS;
    const ct = Math.cos(t);
    const st = Math.sin(t);
    // along the ridge: (ct, st)
    const along = new Map<number, number>();
    let total = 0;
    for (let k = -reachAlong; k <= reachAlong; k++) {
      const dx = Math.round(k * ct);
      const dy = Math.round(k * st);
      const a = dx * ct + dy * st;
      const c = -dx * st + dy * ct;
      const wgt = Math.exp(-0.5 * ((a * a) / (sigmaAlong * sigmaAlong) + (c * c) / 0.25));
      const off = dy * pw + dx;
      along.set(off, (along.get(off) ?? 0) + wgt);
      total += wgt;
    }
    bank.alongOffsets.push(Int32Array.from(along.keys()));
    bank.alongWeights.push(Float32Array.from([...along.values()].map((v) => v / total)));
    // across the ridge: (−st, ct)
    const taps = new Map<number, [number, number]>(); // offset → [envelope, across coordinate]
    for (let k = -reachAcross; k <= reachAcross; k++) {
      const dx = Math.round(-k * st);
      const dy = Math.round(k * ct);
      const c = -dx * st + dy * ct;
      taps.set(dy * pw + dx, [Math.exp((-0.5 * c * c) / (sigmaAcross * sigmaAcross)), c]);
    }
    let sumG = 0;
    let sumEnv = 0;
    for (const [env, c] of taps.values()) {
      sumG += env * Math.cos((TWO_PI * c) / period);
      sumEnv += env;
    }
    const dc = sumG / sumEnv;
    let gain = 0;
    const weights: number[] = [];
    for (const [env, c] of taps.values()) {
      const carrier = Math.cos((TWO_PI * c) / period);
      const wgt = env * (carrier - dc);
      weights.push(wgt);
      gain += wgt * carrier;
    }
    bank.acrossOffsets.push(Int32Array.from(taps.keys()));
    bank.acrossWeights.push(Float32Array.from(weights.map((v) => v / gain)));
  }
  if (bankCache.size > 32) bankCache.clear();
  bankCache.set(key, bank);
  return bank;
}
