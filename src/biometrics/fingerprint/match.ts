/**
 * Minutiae matching in two stages, after X. Jiang and W.-Y. Yau, "Fingerprint minutiae matching
 * based on the local and global structures" (ICPR 2000):
 *
 *  1. Local structures. Each minutia is described by its K = 6 nearest neighbours, each
 *     neighbour by the rotation- and translation-invariant triple (distance, radial angle of the
 *     neighbour seen from the minutia's direction, neighbour's direction relative to the
 *     minutia's). Unlike Jiang & Yau's fixed two-neighbour vector, neighbours are matched one by
 *     one through a hash of quantised triples (the probe's 4 nearest against the candidate's 6),
 *     so a missing or spurious neighbour costs one vote instead of the whole structure. The local
 *     similarity of a minutia pair is the sum of its neighbour matches.
 *  2. Global consolidation. The best local pairs (within ±60° of rotation) each propose an
 *     alignment (rotation from the minutia and neighbour-edge directions, translation through the
 *     matched points); the probe is transformed and minutiae are paired one-to-one, closest
 *     first, within a distance tolerance that grows with the distance from the reference pair
 *     (skin distortion) and an angle tolerance; the best alignment is refined by least squares
 *     and counted again.
 *
 * Score = w² / (n₁·n₂) · min(1, w / 8): w the paired minutiae weighted by closeness (1 exact, ½
 * at the tolerance limits), n₁ and n₂ the minutiae of each template inside the other's footprint
 * (at least min(n, 12), so a tiny overlap cannot score high); the last factor keeps a handful of
 * chance pairs from scoring high. 1 for a template against itself, near 0 for unrelated fingers.
 *
 * `prepare` does all per-template work once (neighbours, hash, spatial grid), so `match` only
 * does the pairwise part. Coordinates are rescaled to 500 dpi from the template's resolution,
 * so the tolerances are in 500-dpi pixels (1 px ≈ 0.05 mm).
 */
import { TWO_PI, type FingerprintTemplate } from './model.ts';

/**
 * Matching parameters (500-dpi pixels and radians). Exported for tuning experiments; changing
 * them changes every score, so the bench baseline must be re-measured.
 */
export const MATCH_PARAMETERS = {
  neighbours: 6,
  /** Neighbour edges of the probe looked up (its nearest ones); the candidate indexes all. */
  probeNeighbours: 4,
  maxEdgeLength: 200,
  edgeDistanceTolerance: 6,
  edgeDistanceRelativeTolerance: 0.06,
  radialTolerance: (12 * Math.PI) / 180,
  relativeTolerance: (17 * Math.PI) / 180,
  seeds: 6,
  pairDistanceTolerance: 10,
  pairDistanceGrowth: 0.06,
  pairAngleTolerance: (30 * Math.PI) / 180,
  minimumEffectiveCount: 12,
  maxRotation: Math.PI / 3,
  refineRounds: 2,
  evidence: 8,
};

/**
 * Decision threshold for one finger (accept when score ≥ threshold), chosen for a low false
 * match rate; see docs/biometrics-fingerprint.md for the measurements behind it.
 */
export const DEFAULT_THRESHOLD = 0.15;

const P = MATCH_PARAMETERS;
const D_BIN = 16; // edge length bin (pixels)
const D_BINS = Math.ceil(P.maxEdgeLength / D_BIN) + 1;
const A_BINS = 12; // radial angle bins (30°)
const B_BINS = 10; // relative direction bins (36°)
const A_WIDTH = TWO_PI / A_BINS;
const B_WIDTH = TWO_PI / B_BINS;
const BUCKETS = D_BINS * A_BINS * B_BINS;
const CELL = 32;
const FOOT = 24;
/** Minutiae beyond this are ignored (ISO views hold at most 255). */
const MAX_MINUTIAE = 1000;

/** A template made ready for matching. Opaque to callers; build with `prepare`. */
export interface PreparedTemplate {
  readonly count: number;
  /** Positions in 500-dpi pixels, y pointing up (so angles are counter-clockwise). */
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly angle: Float32Array;
  /** Edges to the nearest neighbours, grouped by their first minutia (CSR). */
  readonly edgeStart: Uint32Array;
  readonly edgeFrom: Uint16Array;
  readonly edgeTo: Uint16Array;
  readonly edgeLength: Float32Array;
  readonly edgeRadial: Float32Array;
  readonly edgeRelative: Float32Array;
  /** Per edge: its distance tolerance and the hash buckets a matching edge may sit in (CSR). */
  readonly edgeTolerance: Float32Array;
  readonly queryStart: Uint32Array;
  readonly queryBuckets: Uint16Array;
  /** Edge ids by bucket of quantised (length, radial, relative). */
  readonly bucketStart: Uint32Array;
  readonly bucketEdges: Uint32Array;
  /** Spatial grid over the minutiae for the consolidation step. */
  readonly gridX0: number;
  readonly gridY0: number;
  readonly gridCols: number;
  readonly gridRows: number;
  readonly cellStart: Uint32Array;
  readonly cellItems: Uint16Array;
  /** Footprint of the print: grid cells within one cell of a minutia. */
  readonly footX0: number;
  readonly footY0: number;
  readonly footCols: number;
  readonly footRows: number;
  readonly footprint: Uint8Array;
}

function wrap(a: number): number {
  const r = a % TWO_PI;
  return r < 0 ? r + TWO_PI : r;
}

/** Signed difference a − b folded into (−π, π]. */
function diff(a: number, b: number): number {
  let d = (a - b) % TWO_PI;
  if (d > Math.PI) d -= TWO_PI;
  else if (d <= -Math.PI) d += TWO_PI;
  return d;
}

/** |a − b| folded into [0, π] for a, b in [0, 2π) (no modulo: one comparison). */
function angularDistance(a: number, b: number): number {
  const d = a > b ? a - b : b - a;
  return d > Math.PI ? TWO_PI - d : d;
}

/** Builds the matcher-ready form of a template: done once per template, O(n² + n·K). */
export function prepare(template: FingerprintTemplate): PreparedTemplate {
  const ms = template.minutiae.slice(0, MAX_MINUTIAE);
  const n = ms.length;
  const sx = 500 / 2.54 / (template.resolutionX || 197);
  const sy = 500 / 2.54 / (template.resolutionY || 197);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const angle = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const m = ms[i]!;
    x[i] = m.x * sx;
    y[i] = -m.y * sy;
    // a direction (cos a, sin a) scales by (sx, sy) when the axes are rescaled
    angle[i] = sx === sy ? wrap(m.angle) : wrap(Math.atan2(Math.sin(m.angle) * sy, Math.cos(m.angle) * sx));
  }

  // nearest neighbours
  const k = Math.min(P.neighbours, Math.max(0, n - 1));
  const edgeStart = new Uint32Array(n + 1);
  const to: number[] = [];
  const dist = new Float64Array(n);
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    order.length = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      dist[j] = Math.hypot(x[j]! - x[i]!, y[j]! - y[i]!);
      if (dist[j]! <= P.maxEdgeLength && dist[j]! > 0) order.push(j);
    }
    order.sort((a, b) => dist[a]! - dist[b]!);
    for (let q = 0; q < Math.min(k, order.length); q++) to.push(order[q]!);
    edgeStart[i + 1] = to.length;
  }
  const e = to.length;
  const edgeTo = Uint16Array.from(to);
  const edgeFrom = new Uint16Array(e);
  for (let i = 0; i < n; i++) edgeFrom.fill(i, edgeStart[i]!, edgeStart[i + 1]!);
  const edgeLength = new Float32Array(e);
  const edgeRadial = new Float32Array(e);
  const edgeRelative = new Float32Array(e);
  const bucketOf = new Uint32Array(e);
  const bucketCount = new Uint32Array(BUCKETS + 1);
  for (let i = 0; i < n; i++) {
    for (let q = edgeStart[i]!; q < edgeStart[i + 1]!; q++) {
      const j = edgeTo[q]!;
      const dx = x[j]! - x[i]!;
      const dy = y[j]! - y[i]!;
      edgeLength[q] = Math.hypot(dx, dy);
      edgeRadial[q] = wrap(Math.atan2(dy, dx) - angle[i]!);
      edgeRelative[q] = wrap(angle[j]! - angle[i]!);
      const b = bucketIndex(
        Math.floor(edgeLength[q]! / D_BIN),
        Math.floor(edgeRadial[q]! / A_WIDTH) % A_BINS,
        Math.floor(edgeRelative[q]! / B_WIDTH) % B_BINS,
      );
      bucketOf[q] = b;
      bucketCount[b + 1]!++;
    }
  }
  // the buckets each edge's look-up visits, fixed by its own features and the tolerances
  const edgeTolerance = new Float32Array(e);
  const queryStart = new Uint32Array(e + 1);
  const query: number[] = [];
  for (let q = 0; q < e; q++) {
    const d = edgeLength[q]!;
    const tolD = P.edgeDistanceTolerance + P.edgeDistanceRelativeTolerance * d;
    edgeTolerance[q] = tolD;
    const d0 = Math.max(0, Math.floor((d - tolD) / D_BIN));
    const d1 = Math.min(D_BINS - 1, Math.floor((d + tolD) / D_BIN));
    const a0 = Math.floor((edgeRadial[q]! - P.radialTolerance + TWO_PI) / A_WIDTH);
    const a1 = Math.floor((edgeRadial[q]! + P.radialTolerance + TWO_PI) / A_WIDTH);
    const b0 = Math.floor((edgeRelative[q]! - P.relativeTolerance + TWO_PI) / B_WIDTH);
    const b1 = Math.floor((edgeRelative[q]! + P.relativeTolerance + TWO_PI) / B_WIDTH);
    for (let db = d0; db <= d1; db++) {
      for (let ab = a0; ab <= a1; ab++) {
        for (let bb = b0; bb <= b1; bb++) query.push(bucketIndex(db, ab % A_BINS, bb % B_BINS));
      }
    }
    queryStart[q + 1] = query.length;
  }
  const queryBuckets = Uint16Array.from(query);

  const bucketStart = new Uint32Array(BUCKETS + 1);
  for (let b = 0; b < BUCKETS; b++) bucketStart[b + 1] = bucketStart[b]! + bucketCount[b + 1]!;
  const fill = bucketStart.slice(0, BUCKETS);
  const bucketEdges = new Uint32Array(e);
  for (let q = 0; q < e; q++) bucketEdges[fill[bucketOf[q]!]!++] = q;

  // spatial grid
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, x[i]!);
    maxX = Math.max(maxX, x[i]!);
    minY = Math.min(minY, y[i]!);
    maxY = Math.max(maxY, y[i]!);
  }
  if (n === 0) minX = maxX = minY = maxY = 0;
  const gridX0 = minX;
  const gridY0 = minY;
  const gridCols = Math.floor((maxX - minX) / CELL) + 1;
  const gridRows = Math.floor((maxY - minY) / CELL) + 1;
  const cellOf = new Uint32Array(n);
  const cellStart = new Uint32Array(gridCols * gridRows + 1);
  for (let i = 0; i < n; i++) {
    const c = Math.floor((y[i]! - gridY0) / CELL) * gridCols + Math.floor((x[i]! - gridX0) / CELL);
    cellOf[i] = c;
    cellStart[c + 1]!++;
  }
  for (let c = 0; c < gridCols * gridRows; c++) cellStart[c + 1] = cellStart[c + 1]! + cellStart[c]!;
  const cellFill = cellStart.slice(0, gridCols * gridRows);
  const cellItems = new Uint16Array(n);
  const footX0 = minX - FOOT;
  const footY0 = minY - FOOT;
  const footCols = Math.floor((maxX - minX) / FOOT) + 3;
  const footRows = Math.floor((maxY - minY) / FOOT) + 3;
  const footprint = new Uint8Array(footCols * footRows);
  for (let i = 0; i < n; i++) {
    const col = Math.floor((x[i]! - footX0) / FOOT);
    const row = Math.floor((y[i]! - footY0) / FOOT);
    for (let dr = -1; dr <= 1; dr++) for (let dc = -1; dc <= 1; dc++) footprint[(row + dr) * footCols + col + dc] = 1;
  }
  for (let i = 0; i < n; i++) cellItems[cellFill[cellOf[i]!]!++] = i;

  return {
    count: n,
    x,
    y,
    angle,
    edgeStart,
    edgeFrom,
    edgeTo,
    edgeLength,
    edgeRadial,
    edgeRelative,
    edgeTolerance,
    queryStart,
    queryBuckets,
    bucketStart,
    bucketEdges,
    gridX0,
    gridY0,
    gridCols,
    gridRows,
    cellStart,
    cellItems,
    footX0,
    footY0,
    footCols,
    footRows,
    footprint,
  };
}

function bucketIndex(d: number, a: number, b: number): number {
  return (Math.min(d, D_BINS - 1) * A_BINS + a) * B_BINS + b;
}

// Scratch buffers reused across calls (matching is synchronous, so one set suffices).
let localScores = new Float32Array(64 * 64);
let pairProbe = new Uint16Array(256);
let pairCandidate = new Uint16Array(256);
let pairCost = new Float32Array(256);
let pairKey = new Float64Array(256);
let takenProbe = new Uint8Array(256);
let takenCandidate = new Uint8Array(256);
let matchedProbe = new Int32Array(256);
const seedPair = new Int32Array(64);
const seedScore = new Float32Array(64);

function ensureScratch(n1: number, n2: number): void {
  if (localScores.length < n1 * n2) localScores = new Float32Array(n1 * n2 * 2);
  const pairs = Math.max(n1, n2) * 8;
  if (pairProbe.length < pairs) {
    pairProbe = new Uint16Array(pairs);
    pairCandidate = new Uint16Array(pairs);
    pairCost = new Float32Array(pairs);
    pairKey = new Float64Array(pairs);
  }
  if (takenProbe.length < n1) {
    takenProbe = new Uint8Array(n1 * 2);
    matchedProbe = new Int32Array(n1 * 2);
  }
  if (takenCandidate.length < n2) takenCandidate = new Uint8Array(n2 * 2);
}

interface Alignment {
  cos: number;
  sin: number;
  rotation: number;
  tx: number;
  ty: number;
  /** Reference point in the probe (distortion tolerance grows away from it). */
  rx: number;
  ry: number;
}

const alignment: Alignment = { cos: 1, sin: 0, rotation: 0, tx: 0, ty: 0, rx: 0, ry: 0 };
const bestAlignment: Alignment = { ...alignment };
let bestMatched = new Int32Array(256);

/** Keeps the current alignment and its pairs as the best so far. */
function saveBest(n1: number): void {
  Object.assign(bestAlignment, alignment);
  if (bestMatched.length < n1) bestMatched = new Int32Array(n1 * 2);
  bestMatched.set(matchedProbe.subarray(0, n1));
}

function restoreBest(n1: number): void {
  Object.assign(alignment, bestAlignment);
  matchedProbe.set(bestMatched.subarray(0, n1));
}

/** Result of a comparison with its explanation (for tests and the officer's view). */
export interface MatchDetails {
  score: number;
  /** Minutiae paired in the best alignment. */
  paired: number;
  /** The pairs weighted by closeness (1 exact, ½ at the edge of the tolerances). */
  pairedWeight: number;
  /** Minutiae of each template inside the shared region. */
  probeInOverlap: number;
  candidateInOverlap: number;
  /** The best alignment: rotation (radians) and translation (500-dpi pixels, y up). */
  rotation: number;
  translation: [number, number];
}

/** Similarity 0–1 of two prepared templates. */
export function match(probe: PreparedTemplate, candidate: PreparedTemplate): number {
  return matchDetailed(probe, candidate).score;
}

export function matchDetailed(probe: PreparedTemplate, candidate: PreparedTemplate): MatchDetails {
  const n1 = probe.count;
  const n2 = candidate.count;
  const none: MatchDetails = {
    score: 0,
    paired: 0,
    pairedWeight: 0,
    probeInOverlap: n1,
    candidateInOverlap: n2,
    rotation: 0,
    translation: [0, 0],
  };
  if (n1 < 3 || n2 < 3) return none;
  ensureScratch(n1, n2);
  const L = localScores;
  L.fill(0, 0, n1 * n2);

  // 1. local structures: vote for minutia pairs through matching neighbour edges
  const cLength = candidate.edgeLength;
  const cRadial = candidate.edgeRadial;
  const cRelative = candidate.edgeRelative;
  const cFrom = candidate.edgeFrom;
  const cBucketStart = candidate.bucketStart;
  const cBucketEdges = candidate.bucketEdges;
  const radialTol = P.radialTolerance;
  const relativeTol = P.relativeTolerance;
  const probeEdges = Math.min(P.probeNeighbours, P.neighbours);
  for (let i = 0; i < n1; i++) {
    const qLast = Math.min(probe.edgeStart[i + 1]!, probe.edgeStart[i]! + probeEdges);
    for (let q = probe.edgeStart[i]!; q < qLast; q++) {
      const row = probe.edgeFrom[q]! * n2;
      const d = probe.edgeLength[q]!;
      const a = probe.edgeRadial[q]!;
      const b = probe.edgeRelative[q]!;
      const tolD = probe.edgeTolerance[q]!;
      const qEnd = probe.queryStart[q + 1]!;
      for (let u = probe.queryStart[q]!; u < qEnd; u++) {
        const bucket = probe.queryBuckets[u]!;
        const end = cBucketStart[bucket + 1]!;
        for (let v = cBucketStart[bucket]!; v < end; v++) {
          const r = cBucketEdges[v]!;
          const dd = cLength[r]! - d;
          const ed = dd < 0 ? -dd : dd;
          if (ed > tolD) continue;
          let da = cRadial[r]! - a;
          if (da < 0) da = -da;
          if (da > Math.PI) da = TWO_PI - da;
          if (da > radialTol) continue;
          let db = cRelative[r]! - b;
          if (db < 0) db = -db;
          if (db > Math.PI) db = TWO_PI - db;
          if (db > relativeTol) continue;
          const cell = row + cFrom[r]!;
          L[cell] = L[cell]! + 1 - (ed / tolD + da / radialTol + db / relativeTol) / 3;
        }
      }
    }
  }

  // seeds: the best local pairs
  let seeds = 0;
  const rotationLimit = P.maxRotation + P.pairAngleTolerance;
  const maxSeeds = Math.min(P.seeds, seedPair.length);
  for (let p = 0; p < n1 * n2; p++) {
    const v = L[p]!;
    if (v <= 0.5) continue;
    if (rotationLimit < Math.PI) {
      const i = Math.floor(p / n2);
      if (angularDistance(candidate.angle[p - i * n2]!, probe.angle[i]!) > rotationLimit) continue;
    }
    if (seeds < maxSeeds) {
      let s = seeds++;
      while (s > 0 && seedScore[s - 1]! < v) {
        seedScore[s] = seedScore[s - 1]!;
        seedPair[s] = seedPair[s - 1]!;
        s--;
      }
      seedScore[s] = v;
      seedPair[s] = p;
    } else if (v > seedScore[seeds - 1]!) {
      let s = seeds - 1;
      while (s > 0 && seedScore[s - 1]! < v) {
        seedScore[s] = seedScore[s - 1]!;
        seedPair[s] = seedPair[s - 1]!;
        s--;
      }
      seedScore[s] = v;
      seedPair[s] = p;
    }
  }
  if (seeds === 0) return none;

  // 2. global consolidation from each seed (skipping seeds an earlier alignment already
  //    paired: they would propose the same alignment); refine the best by least squares
  let paired = -1;
  let pairedWeight = -1;
  for (let s = 0; s < seeds; s++) {
    const sp = seedPair[s]!;
    if (L[sp]! < 0) continue;
    alignFromSeed(probe, candidate, Math.floor(sp / n2), sp % n2);
    if (Math.abs(alignment.rotation) > P.maxRotation) continue;
    const m = consolidate(probe, candidate);
    if (lastWeight > pairedWeight) {
      paired = m;
      pairedWeight = lastWeight;
      saveBest(n1);
    }
    for (let k = 0; k < n1; k++) if (matchedProbe[k]! >= 0) L[k * n2 + matchedProbe[k]!] = -1;
  }
  if (paired < 0) return none;
  restoreBest(n1);
  for (let round = 0; round < P.refineRounds; round++) {
    if (!refine(probe, candidate)) break;
    const m = consolidate(probe, candidate);
    if (lastWeight <= pairedWeight) break;
    paired = m;
    pairedWeight = lastWeight;
    saveBest(n1);
  }
  restoreBest(n1);
  const [in1, in2] = overlapCounts(probe, candidate);
  const e1 = Math.max(in1, Math.min(n1, P.minimumEffectiveCount), paired);
  const e2 = Math.max(in2, Math.min(n2, P.minimumEffectiveCount), paired);
  const score = Math.min(1, (pairedWeight * pairedWeight) / (e1 * e2)) * Math.min(1, pairedWeight / P.evidence);
  return {
    score,
    paired,
    pairedWeight,
    probeInOverlap: in1,
    candidateInOverlap: in2,
    rotation: alignment.rotation,
    translation: [alignment.tx, alignment.ty],
  };
}

/**
 * Alignment proposed by the pair (i, j): rotation averaged over the minutia directions and the
 * directions of the neighbour edges that match, translation through the matched points' centroid.
 */
function alignFromSeed(probe: PreparedTemplate, candidate: PreparedTemplate, i: number, j: number): void {
  let cs = 0;
  let sn = 0;
  const base = diff(candidate.angle[j]!, probe.angle[i]!);
  cs += Math.cos(base);
  sn += Math.sin(base);
  let px = probe.x[i]!;
  let py = probe.y[i]!;
  let cx = candidate.x[j]!;
  let cy = candidate.y[j]!;
  let count = 1;
  for (let q = probe.edgeStart[i]!; q < probe.edgeStart[i + 1]!; q++) {
    const d = probe.edgeLength[q]!;
    const tolD = P.edgeDistanceTolerance + P.edgeDistanceRelativeTolerance * d;
    let bestR = -1;
    let bestErr = Infinity;
    for (let r = candidate.edgeStart[j]!; r < candidate.edgeStart[j + 1]!; r++) {
      const ed = Math.abs(candidate.edgeLength[r]! - d) / tolD;
      const ea = angularDistance(candidate.edgeRadial[r]!, probe.edgeRadial[q]!) / P.radialTolerance;
      const eb = angularDistance(candidate.edgeRelative[r]!, probe.edgeRelative[q]!) / P.relativeTolerance;
      if (ed > 1 || ea > 1 || eb > 1) continue;
      if (ed + ea + eb < bestErr) {
        bestErr = ed + ea + eb;
        bestR = r;
      }
    }
    if (bestR < 0) continue;
    const pj = probe.edgeTo[q]!;
    const cj = candidate.edgeTo[bestR]!;
    const rot = diff(
      Math.atan2(candidate.y[cj]! - candidate.y[j]!, candidate.x[cj]! - candidate.x[j]!),
      Math.atan2(probe.y[pj]! - probe.y[i]!, probe.x[pj]! - probe.x[i]!),
    );
    // longer edges give a more precise direction
    const wgt = Math.min(2, d / 25);
    cs += wgt * Math.cos(rot);
    sn += wgt * Math.sin(rot);
    px += probe.x[pj]!;
    py += probe.y[pj]!;
    cx += candidate.x[cj]!;
    cy += candidate.y[cj]!;
    count++;
  }
  const rotation = Math.atan2(sn, cs);
  setAlignment(rotation, px / count, py / count, cx / count, cy / count, probe.x[i]!, probe.y[i]!);
}

function setAlignment(rotation: number, px: number, py: number, cx: number, cy: number, rx: number, ry: number): void {
  const c = Math.cos(rotation);
  const s = Math.sin(rotation);
  alignment.rotation = rotation;
  alignment.cos = c;
  alignment.sin = s;
  alignment.tx = cx - (c * px - s * py);
  alignment.ty = cy - (s * px + c * py);
  alignment.rx = rx;
  alignment.ry = ry;
}

/**
 * Pairs probe and candidate minutiae one-to-one under the current alignment (closest pairs
 * first) and returns the number of pairs; `matchedProbe[k]` holds k's partner or −1.
 */
let lastWeight = 0;

function consolidate(probe: PreparedTemplate, candidate: PreparedTemplate): number {
  const { cos: c, sin: s, tx, ty, rotation, rx, ry } = alignment;
  const n1 = probe.count;
  let pairs = 0;
  const maxPairs = pairProbe.length;
  const reach = P.pairDistanceTolerance + P.pairDistanceGrowth * 400;
  for (let k = 0; k < n1; k++) {
    const x0 = probe.x[k]!;
    const y0 = probe.y[k]!;
    const qx = c * x0 - s * y0 + tx;
    const qy = s * x0 + c * y0 + ty;
    const ox = x0 - rx;
    const oy = y0 - ry;
    const tol = Math.min(reach, P.pairDistanceTolerance + P.pairDistanceGrowth * Math.sqrt(ox * ox + oy * oy));
    const col0 = Math.max(0, Math.floor((qx - tol - candidate.gridX0) / CELL));
    const col1 = Math.min(candidate.gridCols - 1, Math.floor((qx + tol - candidate.gridX0) / CELL));
    const row0 = Math.max(0, Math.floor((qy - tol - candidate.gridY0) / CELL));
    const row1 = Math.min(candidate.gridRows - 1, Math.floor((qy + tol - candidate.gridY0) / CELL));
    if (col0 > col1 || row0 > row1) continue;
    let qa = probe.angle[k]! + rotation;
    if (qa < 0) qa += TWO_PI;
    else if (qa >= TWO_PI) qa -= TWO_PI;
    for (let row = row0; row <= row1; row++) {
      for (let col = col0; col <= col1; col++) {
        const cell = row * candidate.gridCols + col;
        for (let t = candidate.cellStart[cell]!; t < candidate.cellStart[cell + 1]!; t++) {
          const m = candidate.cellItems[t]!;
          const dx = candidate.x[m]! - qx;
          const dy = candidate.y[m]! - qy;
          const d2 = dx * dx + dy * dy;
          if (d2 > tol * tol) continue;
          const da = angularDistance(candidate.angle[m]!, qa);
          if (da > P.pairAngleTolerance) continue;
          if (pairs < maxPairs) {
            pairProbe[pairs] = k;
            pairCandidate[pairs] = m;
            pairCost[pairs] = Math.sqrt(d2) / tol + da / P.pairAngleTolerance;
            pairs++;
          }
        }
      }
    }
  }
  for (let k = 0; k < n1; k++) {
    takenProbe[k] = 0;
    matchedProbe[k] = -1;
  }
  takenCandidate.fill(0, 0, candidate.count);
  // sort pair ids by cost: key = quantised cost · 2^16 + id, sorted natively
  for (let t = 0; t < pairs; t++) pairKey[t] = Math.floor(pairCost[t]! * 4096) * 65536 + t;
  const order = pairKey.subarray(0, pairs).sort();
  let matched = 0;
  let weight = 0;
  for (let t = 0; t < pairs; t++) {
    const p = order[t]! % 65536;
    const k = pairProbe[p]!;
    const m = pairCandidate[p]!;
    if (takenProbe[k] || takenCandidate[m]) continue;
    takenProbe[k] = 1;
    takenCandidate[m] = 1;
    matchedProbe[k] = m;
    matched++;
    // a pair counts fully when exact, less towards the edge of the tolerances
    weight += 1 - pairCost[p]! / 2;
  }
  lastWeight = weight;
  return matched;
}

/** Least-squares rigid fit on the current pairs (needs 3); updates `alignment`. */
function refine(probe: PreparedTemplate, candidate: PreparedTemplate): boolean {
  let n = 0;
  let px = 0;
  let py = 0;
  let cx = 0;
  let cy = 0;
  for (let k = 0; k < probe.count; k++) {
    const m = matchedProbe[k]!;
    if (m < 0) continue;
    n++;
    px += probe.x[k]!;
    py += probe.y[k]!;
    cx += candidate.x[m]!;
    cy += candidate.y[m]!;
  }
  if (n < 3) return false;
  px /= n;
  py /= n;
  cx /= n;
  cy /= n;
  let dot = 0;
  let cross = 0;
  for (let k = 0; k < probe.count; k++) {
    const m = matchedProbe[k]!;
    if (m < 0) continue;
    const ax = probe.x[k]! - px;
    const ay = probe.y[k]! - py;
    const bx = candidate.x[m]! - cx;
    const by = candidate.y[m]! - cy;
    dot += ax * bx + ay * by;
    cross += ax * by - ay * bx;
  }
  setAlignment(Math.atan2(cross, dot), px, py, cx, cy, px, py);
  return true;
}

/** Minutiae of each template inside the other's (aligned, slightly enlarged) bounding box. */
function inFootprint(t: PreparedTemplate, x: number, y: number): boolean {
  const col = Math.floor((x - t.footX0) / FOOT);
  const row = Math.floor((y - t.footY0) / FOOT);
  return col >= 0 && row >= 0 && col < t.footCols && row < t.footRows && t.footprint[row * t.footCols + col] === 1;
}

function overlapCounts(probe: PreparedTemplate, candidate: PreparedTemplate): [number, number] {
  const { cos: c, sin: s, tx, ty } = alignment;
  let in1 = 0;
  for (let k = 0; k < probe.count; k++) {
    const qx = c * probe.x[k]! - s * probe.y[k]! + tx;
    const qy = s * probe.x[k]! + c * probe.y[k]! + ty;
    if (inFootprint(candidate, qx, qy)) in1++;
  }
  // candidate points mapped back into the probe's frame
  let in2 = 0;
  for (let m = 0; m < candidate.count; m++) {
    const dx = candidate.x[m]! - tx;
    const dy = candidate.y[m]! - ty;
    if (inFootprint(probe, c * dx + s * dy, -s * dx + c * dy)) in2++;
  }
  return [in1, in2];
}

export type MultiFingerPolicy =
  /** Accept when at least `count` fingers each reach the threshold. */
  | { kind: 'atLeast'; count: number }
  /** Accept when the mean of the best `fingers` scores reaches the threshold. */
  | { kind: 'meanOfBest'; fingers: number };

export interface MultiFingerDecision {
  accepted: boolean;
  /** Fingers whose score reached the threshold. */
  matchingFingers: number;
  /** Mean of the best scores the policy looks at. */
  fusedScore: number;
  reason: string;
}

/** Level 2 default: two different fingers must each match at the threshold. */
export const LEVEL2_POLICY: MultiFingerPolicy = { kind: 'atLeast', count: 2 };

/**
 * Decision over several fingers, one score each (probe finger vs the same finger on record).
 * The default policy requires two fingers to match: with independent fingers the false match
 * rate is about FMR₁² (×C(n,2) for n fingers tried) while a second captured finger keeps the
 * false non-match rate workable.
 */
export function decideMultiFinger(
  scores: readonly number[],
  threshold: number,
  policy: MultiFingerPolicy = LEVEL2_POLICY,
): MultiFingerDecision {
  for (const s of scores) {
    if (!Number.isFinite(s) || s < 0 || s > 1) throw new RangeError(`finger score ${s} is not in 0–1`);
  }
  const sorted = [...scores].sort((a, b) => b - a);
  const matchingFingers = sorted.filter((s) => s >= threshold).length;
  if (policy.kind === 'atLeast') {
    if (!Number.isInteger(policy.count) || policy.count < 1) throw new RangeError('policy count must be ≥ 1');
    const best = sorted.slice(0, policy.count);
    const fusedScore = best.length ? best.reduce((a, b) => a + b, 0) / best.length : 0;
    if (scores.length < policy.count) {
      return {
        accepted: false,
        matchingFingers,
        fusedScore,
        reason: `${scores.length} finger(s) compared, the policy needs ${policy.count}`,
      };
    }
    const accepted = matchingFingers >= policy.count;
    return {
      accepted,
      matchingFingers,
      fusedScore,
      reason: accepted
        ? `${matchingFingers} of ${scores.length} fingers match (${policy.count} needed)`
        : `only ${matchingFingers} of ${scores.length} fingers match (${policy.count} needed)`,
    };
  }
  if (!Number.isInteger(policy.fingers) || policy.fingers < 1) throw new RangeError('policy fingers must be ≥ 1');
  if (scores.length < policy.fingers) {
    return {
      accepted: false,
      matchingFingers,
      fusedScore: 0,
      reason: `${scores.length} finger(s) compared, the policy needs ${policy.fingers}`,
    };
  }
  const best = sorted.slice(0, policy.fingers);
  const fusedScore = best.reduce((a, b) => a + b, 0) / best.length;
  const accepted = fusedScore >= threshold;
  return {
    accepted,
    matchingFingers,
    fusedScore,
    reason: `mean of the best ${policy.fingers} scores ${fusedScore.toFixed(3)} ${accepted ? '≥' : '<'} ${threshold}`,
  };
}
