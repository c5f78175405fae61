/**
 * Capture quality from the 68 landmarks and the aligned face chip, all pure functions:
 * geometry (eye distance, roll, a yaw estimate), alignment to the recogniser's 150x150 chip,
 * sharpness (variance of the Laplacian), exposure, and a weak presentation-attack cue.
 *
 * Landmark indices follow the iBUG 300-W 68-point scheme: jaw 0–16, brows 17–26, nose 27–35,
 * eyes 36–41 (left in the image) and 42–47, mouth 48–67.
 */
import { sampleBilinear, type RgbImage } from './image.ts';

export interface Point {
  x: number;
  y: number;
}

export interface FaceGeometry {
  leftEye: Point;
  rightEye: Point;
  mouth: Point;
  /** Distance between the eye centres, pixels of the image the landmarks are in. */
  eyeDistance: number;
  /** Tilt of the eye line, degrees (0 = level). */
  roll: number;
  /** Left–right turn estimated from the nose against the jaw outline, degrees (0 = frontal). */
  yaw: number;
}

function mean(points: readonly Point[], from: number, to: number): Point {
  let x = 0;
  let y = 0;
  for (let i = from; i <= to; i++) {
    x += points[i]!.x;
    y += points[i]!.y;
  }
  const n = to - from + 1;
  return { x: x / n, y: y / n };
}

export function faceGeometry(landmarks: readonly Point[]): FaceGeometry {
  if (landmarks.length !== 68) throw new RangeError(`expected 68 landmarks, got ${landmarks.length}`);
  const leftEye = mean(landmarks, 36, 41);
  const rightEye = mean(landmarks, 42, 47);
  const mouth = mean(landmarks, 48, 67);
  const dx = rightEye.x - leftEye.x;
  const dy = rightEye.y - leftEye.y;
  const angle = Math.atan2(dy, dx);
  // yaw: in the roll-corrected frame, where the nose tip sits between the two sides of the jaw
  const cos = Math.cos(-angle);
  const sin = Math.sin(-angle);
  const along = (p: Point) => p.x * cos - p.y * sin;
  const nose = along(landmarks[30]!);
  const left = nose - along(landmarks[0]!);
  const right = along(landmarks[16]!) - nose;
  const ratio = left + right > 0 ? (left - right) / (left + right) : 0;
  return {
    leftEye,
    rightEye,
    mouth,
    eyeDistance: Math.hypot(dx, dy),
    roll: (angle * 180) / Math.PI,
    yaw: (Math.asin(Math.max(-1, Math.min(1, ratio))) * 180) / Math.PI,
  };
}

export const CHIP_SIZE = 150;

/**
 * The recogniser's input: a 150x150 chip framed like face-api's dlib-style alignment (side =
 * mean eye-to-mouth distance / 0.45, the eyes-and-mouth centroid at 50% across and 43% down),
 * but also rotated so the eyes are level (`level: false` keeps face-api's unrotated box). Larger faces are averaged over several samples per
 * chip pixel (no aliasing); outside the image is black, as in dlib's chips.
 */
export function alignedChip(
  image: RgbImage,
  geometry: FaceGeometry,
  options: { size?: number; level?: boolean } = {},
): RgbImage {
  const size = options.size ?? CHIP_SIZE;
  const { leftEye, rightEye, mouth } = geometry;
  const c = { x: (leftEye.x + rightEye.x + mouth.x) / 3, y: (leftEye.y + rightEye.y + mouth.y) / 3 };
  const eyeToMouth =
    (Math.hypot(mouth.x - leftEye.x, mouth.y - leftEye.y) + Math.hypot(mouth.x - rightEye.x, mouth.y - rightEye.y)) / 2;
  const side = eyeToMouth / 0.45;
  const angle = options.level === false ? 0 : Math.atan2(rightEye.y - leftEye.y, rightEye.x - leftEye.x);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const step = side / size;
  const n = Math.min(4, Math.max(1, Math.ceil(step)));
  const out = new Uint8Array(size * size * 3);
  const tmp = new Uint8Array(3);
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sv = 0; sv < n; sv++) {
        for (let su = 0; su < n; su++) {
          // chip point in the level frame, relative to the centroid
          const px = (u + (su + 0.5) / n) * step - 0.5 * side;
          const py = (v + (sv + 0.5) / n) * step - 0.43 * side;
          sampleBilinear(image, c.x + px * cos - py * sin - 0.5, c.y + px * sin + py * cos - 0.5, tmp, 0, false);
          r += tmp[0]!;
          g += tmp[1]!;
          b += tmp[2]!;
        }
      }
      const d = (v * size + u) * 3;
      const k = n * n;
      out[d] = Math.round(r / k);
      out[d + 1] = Math.round(g / k);
      out[d + 2] = Math.round(b / k);
    }
  }
  return { width: size, height: size, data: out };
}

/** The part of the chip that is face (cheeks, eyes, nose, mouth), as fractions of its side. */
const INNER = { x0: 0.2, x1: 0.8, y0: 0.22, y1: 0.82 };

function greyInner(chip: RgbImage): { grey: Float32Array; width: number; height: number } {
  const x0 = Math.round(chip.width * INNER.x0);
  const x1 = Math.round(chip.width * INNER.x1);
  const y0 = Math.round(chip.height * INNER.y0);
  const y1 = Math.round(chip.height * INNER.y1);
  const width = x1 - x0;
  const height = y1 - y0;
  const grey = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = ((y + y0) * chip.width + x + x0) * 3;
      grey[y * width + x] = 0.299 * chip.data[s]! + 0.587 * chip.data[s + 1]! + 0.114 * chip.data[s + 2]!;
    }
  }
  return { grey, width, height };
}

/**
 * Sharpness: variance of the 4-neighbour Laplacian over the inner face of the chip (Pech-Pacheco
 * et al., "Diatom autofocusing in brightfield microscopy", 2000). Measured on the chip, so it is
 * the detail the recogniser gets, whatever the photo's size.
 */
export function sharpness(chip: RgbImage): number {
  const { grey, width, height } = greyInner(chip);
  let sum = 0;
  let sum2 = 0;
  let n = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const l = grey[i - 1]! + grey[i + 1]! + grey[i - width]! + grey[i + width]! - 4 * grey[i]!;
      sum += l;
      sum2 += l * l;
      n++;
    }
  }
  const m = sum / n;
  return sum2 / n - m * m;
}

export interface Exposure {
  /** Mean luma of the inner face, 0–255. */
  mean: number;
  /** Share of inner-face pixels at or below 8 (crushed). */
  dark: number;
  /** Share at or above 247 (blown out). */
  bright: number;
}

export function exposure(chip: RgbImage): Exposure {
  const { grey } = greyInner(chip);
  let sum = 0;
  let dark = 0;
  let bright = 0;
  for (const v of grey) {
    sum += v;
    if (v <= 8) dark++;
    if (v >= 247) bright++;
  }
  return { mean: sum / grey.length, dark: dark / grey.length, bright: bright / grey.length };
}

/** Peak isolation below LOW is no cue, above HIGH a full one (set on the shared samples, docs/biometrics-face.md). */
const MOIRE_LOW = 10;
const MOIRE_HIGH = 40;

export const PAD_NOTE =
  'weak presentation-attack cue from one image (screen moiré, colourless print); not liveness detection and not evaluated under ISO/IEC 30107-3: never decide on it alone';

export interface PadSignal {
  /** 0 = no cue seen, 1 = strong cue. Informative only. */
  score: number;
  cues: {
    /** Isolation of the strongest high-frequency spectral peak in the face at camera resolution. */
    moire: number;
    /** Mean colour saturation of the face (0 = no colour at all, as a greyscale print or copy). */
    saturation: number;
  };
  note: string;
}

/**
 * A weak presentation-attack cue. A face shown on a screen or printed and photographed again
 * often carries a periodic pattern (moiré, halftone) that natural skin does not: a few isolated
 * peaks in the high-frequency spectrum of the face at camera resolution. A greyscale image has no
 * colour a selfie camera would record. Both are cheap to measure and easy to defeat (a good print,
 * a high-resolution screen far enough away), and both fire on innocent images (fabric, JPEG
 * recompression, greyscale uploads); hence reported, never decisive.
 */
export function padSignal(image: RgbImage, geometry: FaceGeometry, chip: RgbImage): PadSignal {
  const moire = spectralPeakiness(image, geometry);
  const saturation = meanSaturation(chip);
  const moireCue = Math.min(1, Math.max(0, (moire - MOIRE_LOW) / (MOIRE_HIGH - MOIRE_LOW)));
  const greyCue = saturation < 0.02 ? 1 : saturation < 0.05 ? 0.5 : 0;
  return {
    score: Math.max(moireCue, greyCue),
    cues: { moire: round(moire, 2), saturation: round(saturation, 3) },
    note: PAD_NOTE,
  };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function meanSaturation(chip: RgbImage): number {
  const x0 = Math.round(chip.width * INNER.x0);
  const x1 = Math.round(chip.width * INNER.x1);
  const y0 = Math.round(chip.height * INNER.y0);
  const y1 = Math.round(chip.height * INNER.y1);
  let sum = 0;
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const s = (y * chip.width + x) * 3;
      const r = chip.data[s]!;
      const g = chip.data[s + 1]!;
      const b = chip.data[s + 2]!;
      const max = Math.max(r, g, b);
      const min = Math.min(r, g, b);
      sum += max === 0 ? 0 : (max - min) / max;
      n++;
    }
  }
  return sum / n;
}

const PATCH = 32;

/**
 * How isolated the strongest high-frequency peak of the face's spectrum is: in a 32x32 grey patch
 * of cheek and nose at the image's own resolution (Hann-windowed), the largest ratio of a bin's
 * power to the mean power of the ring of bins two steps around it, over 0.15–0.5 cycles per
 * pixel. Skin, edges and noise give smooth spectra (ratios of a few units); a periodic pattern
 * (moiré, halftone) gives a lone peak. JPEG's 8-pixel block frequencies are left out.
 */
function spectralPeakiness(image: RgbImage, g: FaceGeometry): number {
  const cx = (g.leftEye.x + g.rightEye.x + 2 * g.mouth.x) / 4;
  const cy = (g.leftEye.y + g.rightEye.y + 2 * g.mouth.y) / 4;
  if (g.eyeDistance < PATCH * 0.75) return 0; // face too small for a native-resolution patch
  const x0 = Math.round(cx - PATCH / 2);
  const y0 = Math.round(cy - PATCH / 2);
  if (x0 < 0 || y0 < 0 || x0 + PATCH > image.width || y0 + PATCH > image.height) return 0;
  const values = new Float64Array(PATCH * PATCH);
  let m = 0;
  for (let y = 0; y < PATCH; y++) {
    for (let x = 0; x < PATCH; x++) {
      const s = ((y0 + y) * image.width + x0 + x) * 3;
      const v = 0.299 * image.data[s]! + 0.587 * image.data[s + 1]! + 0.114 * image.data[s + 2]!;
      values[y * PATCH + x] = v;
      m += v;
    }
  }
  m /= PATCH * PATCH;
  for (let y = 0; y < PATCH; y++) {
    const wy = 0.5 - 0.5 * Math.cos((2 * Math.PI * (y + 0.5)) / PATCH);
    for (let x = 0; x < PATCH; x++) {
      const wx = 0.5 - 0.5 * Math.cos((2 * Math.PI * (x + 0.5)) / PATCH);
      values[y * PATCH + x] = (values[y * PATCH + x]! - m) * wx * wy;
    }
  }
  const power = dft2Power(values, PATCH);
  const at = (kx: number, ky: number) =>
    power[(((ky % PATCH) + PATCH) % PATCH) * PATCH + (((kx % PATCH) + PATCH) % PATCH)]!;
  let total = 0;
  for (const p of power) total += p;
  if (total <= 0) return 0;
  let best = 0;
  for (let ky = -PATCH / 2 + 1; ky <= PATCH / 2; ky++) {
    for (let kx = 0; kx <= PATCH / 2; kx++) {
      const f = Math.hypot(kx, ky) / PATCH;
      if (f < 0.15 || f > 0.5) continue;
      if ((kx * 8) % PATCH === 0 || (ky * 8) % PATCH === 0) continue; // JPEG block grid
      let ring = 0;
      for (let d = -2; d <= 2; d++) ring += at(kx + d, ky - 2) + at(kx + d, ky + 2);
      for (let d = -1; d <= 1; d++) ring += at(kx - 2, ky + d) + at(kx + 2, ky + d);
      ring /= 16;
      const p = at(kx, ky);
      // a peak must also carry a noticeable share of the patch's energy
      if (p / total < 0.002) continue;
      best = Math.max(best, p / Math.max(ring, 1e-9 * total));
    }
  }
  return best;
}

/** |DFT|² of an n×n real array by two passes of direct 1-D DFTs (n = 32: ~65k operations). */
function dft2Power(input: Float64Array, n: number): Float64Array {
  const cos = new Float64Array(n * n);
  const sin = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    for (let t = 0; t < n; t++) {
      cos[k * n + t] = Math.cos((2 * Math.PI * k * t) / n);
      sin[k * n + t] = Math.sin((2 * Math.PI * k * t) / n);
    }
  }
  const rowRe = new Float64Array(n * n);
  const rowIm = new Float64Array(n * n);
  for (let y = 0; y < n; y++) {
    for (let k = 0; k < n; k++) {
      let a = 0;
      let b = 0;
      for (let t = 0; t < n; t++) {
        const v = input[y * n + t]!;
        a += v * cos[k * n + t]!;
        b -= v * sin[k * n + t]!;
      }
      rowRe[y * n + k] = a;
      rowIm[y * n + k] = b;
    }
  }
  const power = new Float64Array(n * n);
  for (let kx = 0; kx < n; kx++) {
    for (let ky = 0; ky < n; ky++) {
      let a = 0;
      let b = 0;
      for (let t = 0; t < n; t++) {
        const c = cos[ky * n + t]!;
        const s = sin[ky * n + t]!;
        const r = rowRe[t * n + kx]!;
        const i = rowIm[t * n + kx]!;
        a += r * c + i * s;
        b += i * c - r * s;
      }
      power[ky * n + kx] = a * a + b * b;
    }
  }
  return power;
}
