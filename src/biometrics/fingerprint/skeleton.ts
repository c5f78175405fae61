/**
 * Ridge skeleton: Zhang–Suen thinning (T. Y. Zhang and C. Y. Suen, "A fast parallel algorithm for
 * thinning digital patterns", CACM 1984) followed by a sequential pass that removes the redundant
 * corner pixels of diagonal staircases (a pixel whose 8-connectivity number is 1 and that sits
 * between two 4-neighbours), so every ridge is exactly one 8-connected pixel wide and the crossing
 * number is 1 at endings, 2 along ridges and 3 at bifurcations. Also: skeleton tracing.
 *
 * Images here are "padded": (width + 2) × (height + 2) with a zero frame, so neighbour reads
 * never leave the array. Neighbour bit k of a pixel's 8-bit code, clockwise from north:
 * N=0, NE=1, E=2, SE=3, S=4, SW=5, W=6, NW=7.
 */

const N = 1,
  NE = 2,
  E = 4,
  SE = 8,
  S = 16,
  SW = 32,
  W = 64,
  NW = 128;

function bitCount(c: number): number {
  let n = 0;
  for (let k = 0; k < 8; k++) n += (c >> k) & 1;
  return n;
}

/** Number of 0→1 transitions around the pixel = the crossing number on a thin skeleton. */
function transitions(c: number): number {
  let t = 0;
  for (let k = 0; k < 8; k++) if (!((c >> k) & 1) && (c >> ((k + 1) & 7)) & 1) t++;
  return t;
}

/** Yokoi's 8-connectivity number. */
function connectivity8(c: number): number {
  // x1..x8 = E, NE, N, NW, W, SW, S, SE (counter-clockwise from east), complemented
  const x = [E, NE, N, NW, W, SW, S, SE].map((b) => (c & b ? 0 : 1));
  let n = 0;
  for (let k = 0; k < 8; k += 2) n += x[k]! - x[k]! * x[(k + 1) & 7]! * x[(k + 2) & 7]!;
  return n;
}

const ZS_FIRST = new Uint8Array(256);
const ZS_SECOND = new Uint8Array(256);
const STAIR = new Uint8Array(256);
/** Crossing number per neighbourhood code. */
export const CROSSING = new Uint8Array(256);
export const NEIGHBOURS = new Uint8Array(256);

for (let c = 0; c < 256; c++) {
  const b = bitCount(c);
  const a = transitions(c);
  CROSSING[c] = a;
  NEIGHBOURS[c] = b;
  const has = (m: number) => (c & m ? 1 : 0);
  if (b >= 2 && b <= 6 && a === 1) {
    if (!(has(N) && has(E) && has(S)) && !(has(E) && has(S) && has(W))) ZS_FIRST[c] = 1;
    if (!(has(N) && has(E) && has(W)) && !(has(N) && has(S) && has(W))) ZS_SECOND[c] = 1;
  }
  const corner = (has(N) && has(E)) || (has(E) && has(S)) || (has(S) && has(W)) || (has(W) && has(N));
  if (b >= 2 && connectivity8(c) === 1 && corner) STAIR[c] = 1;
}

/** Offsets of the 8 neighbours in a padded image of the given padded width, in bit order. */
export function neighbourOffsets(pw: number): Int32Array {
  return Int32Array.from([-pw, -pw + 1, 1, pw + 1, pw, pw - 1, -1, -pw - 1]);
}

export function codeAt(img: Uint8Array, p: number, off: Int32Array): number {
  return (
    (img[p + off[0]!]! ? 1 : 0) |
    (img[p + off[1]!]! ? 2 : 0) |
    (img[p + off[2]!]! ? 4 : 0) |
    (img[p + off[3]!]! ? 8 : 0) |
    (img[p + off[4]!]! ? 16 : 0) |
    (img[p + off[5]!]! ? 32 : 0) |
    (img[p + off[6]!]! ? 64 : 0) |
    (img[p + off[7]!]! ? 128 : 0)
  );
}

/** Thins a padded binary image (1 = ridge) in place to a one-pixel-wide 8-connected skeleton. */
export function thin(img: Uint8Array, pw: number, ph: number): void {
  const off = neighbourOffsets(pw);
  const list = new Int32Array(pw * ph);
  let count = 0;
  for (let y = 1; y < ph - 1; y++) {
    for (let x = 1; x < pw - 1; x++) {
      const p = y * pw + x;
      if (img[p]) list[count++] = p;
    }
  }
  const doomed = new Int32Array(count);
  let changed = true;
  while (changed) {
    changed = false;
    for (let pass = 0; pass < 2; pass++) {
      const table = pass === 0 ? ZS_FIRST : ZS_SECOND;
      let nd = 0;
      for (let i = 0; i < count; i++) {
        const p = list[i]!;
        if (table[codeAt(img, p, off)]) doomed[nd++] = p;
      }
      for (let i = 0; i < nd; i++) img[doomed[i]!] = 0;
      if (nd > 0) {
        changed = true;
        let k = 0;
        for (let i = 0; i < count; i++) if (img[list[i]!]) list[k++] = list[i]!;
        count = k;
      }
    }
  }
  // staircase corners, sequentially so connectivity is preserved
  for (let i = 0; i < count; i++) {
    const p = list[i]!;
    if (STAIR[codeAt(img, p, off)]) img[p] = 0;
  }
}

/** Why a trace stopped. */
export const STOP_LENGTH = 0;
export const STOP_END = 1;
export const STOP_JUNCTION = 2;

/** Result of `trace`, reused between calls (no allocation per trace). */
export interface TraceResult {
  stop: number;
  steps: number;
  /** Padded index where the trace stopped. */
  end: number;
  /** Padded index reached after `markStep` steps (or the end if shorter). */
  mark: number;
}

/**
 * Follows the skeleton from `start` through `first` for at most `maxSteps` pixels. Stops at a
 * ridge end, at a junction (crossing number ≥ 3), or at the length limit. `visited` is a
 * scratch array of the image's size, all zero on entry and on return; the start pixel's other
 * neighbours are excluded so a trace leaves along its own branch.
 */
export function trace(
  img: Uint8Array,
  off: Int32Array,
  visited: Uint8Array,
  touched: Int32Array,
  start: number,
  first: number,
  maxSteps: number,
  markStep: number,
  out: TraceResult,
): void {
  let nt = 0;
  visited[start] = 1;
  touched[nt++] = start;
  for (let k = 0; k < 8; k++) {
    const q = start + off[k]!;
    if (q !== first && img[q] && !visited[q]) {
      visited[q] = 1;
      touched[nt++] = q;
    }
  }
  let cur = first;
  let steps = 1;
  out.mark = first;
  out.stop = STOP_LENGTH;
  visited[cur] = 1;
  touched[nt++] = cur;
  while (true) {
    if (steps === markStep) out.mark = cur;
    const code = codeAt(img, cur, off);
    if (CROSSING[code]! >= 3) {
      out.stop = STOP_JUNCTION;
      break;
    }
    if (steps >= maxSteps) break;
    // next: an unvisited skeleton neighbour, 4-neighbours first
    let next = -1;
    for (let k = 0; k < 8; k += 2) {
      const q = cur + off[k]!;
      if (img[q] && !visited[q]) {
        next = q;
        break;
      }
    }
    if (next < 0) {
      for (let k = 1; k < 8; k += 2) {
        const q = cur + off[k]!;
        if (img[q] && !visited[q]) {
          next = q;
          break;
        }
      }
    }
    if (next < 0) {
      out.stop = STOP_END;
      break;
    }
    cur = next;
    visited[cur] = 1;
    touched[nt++] = cur;
    steps++;
  }
  if (steps < markStep) out.mark = cur;
  out.steps = steps;
  out.end = cur;
  for (let i = 0; i < nt; i++) visited[touched[i]!] = 0;
}
