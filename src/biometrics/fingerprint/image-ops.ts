/**
 * Low-level image operations on typed arrays for the extractor: separable box filters with
 * running sums, a chamfer distance transform, and small helpers. No per-pixel allocation.
 */

/**
 * Mean over a (2r+1)² window clipped to the image (edge pixels average fewer samples), in O(n)
 * whatever r: a sliding sum along rows, then running column sums row by row (cache-friendly).
 * `tmp` is scratch of the same length; src and dst may be the same array.
 */
export function boxFilter(
  src: Float32Array,
  dst: Float32Array,
  width: number,
  height: number,
  r: number,
  tmp: Float32Array,
): void {
  // horizontal sums (not yet divided)
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let sum = 0;
    const first = Math.min(r, width - 1);
    for (let x = 0; x <= first; x++) sum += src[row + x]!;
    for (let x = 0; x < width; x++) {
      tmp[row + x] = sum;
      const add = x + r + 1;
      const drop = x - r;
      if (add < width) sum += src[row + add]!;
      if (drop >= 0) sum -= src[row + drop]!;
    }
  }
  // horizontal counts per column
  const colCount = new Float32Array(width);
  for (let x = 0; x < width; x++) colCount[x] = Math.min(width - 1, x + r) - Math.max(0, x - r) + 1;
  // vertical running sums of the row sums
  const acc = new Float64Array(width);
  const firstRow = Math.min(r, height - 1);
  for (let y = 0; y <= firstRow; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) acc[x] = acc[x]! + tmp[row + x]!;
  }
  for (let y = 0; y < height; y++) {
    const rows = Math.min(height - 1, y + r) - Math.max(0, y - r) + 1;
    const out = y * width;
    for (let x = 0; x < width; x++) dst[out + x] = acc[x]! / (rows * colCount[x]!);
    const add = y + r + 1;
    const drop = y - r;
    if (add < height) {
      const row = add * width;
      for (let x = 0; x < width; x++) acc[x] = acc[x]! + tmp[row + x]!;
    }
    if (drop >= 0) {
      const row = drop * width;
      for (let x = 0; x < width; x++) acc[x] = acc[x]! - tmp[row + x]!;
    }
  }
}

/**
 * Two-pass 3-4 chamfer distance (in pixels, approximately Euclidean) from every mask pixel to the
 * nearest non-mask pixel; the outside of the image counts as non-mask.
 */
export function distanceToMaskEdge(mask: Uint8Array, width: number, height: number): Float32Array {
  const big = 1e9;
  const d = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!mask[i]) {
        d[i] = 0;
        continue;
      }
      let v = big;
      // neighbours already visited: W, NW, N, NE (outside the image = 0)
      const w = x > 0 ? d[i - 1]! : 0;
      const n = y > 0 ? d[i - width]! : 0;
      const nw = x > 0 && y > 0 ? d[i - width - 1]! : 0;
      const ne = x < width - 1 && y > 0 ? d[i - width + 1]! : 0;
      v = Math.min(v, w + 3, n + 3, nw + 4, ne + 4);
      d[i] = v;
    }
  }
  for (let y = height - 1; y >= 0; y--) {
    for (let x = width - 1; x >= 0; x--) {
      const i = y * width + x;
      if (!mask[i]) continue;
      const e = x < width - 1 ? d[i + 1]! : 0;
      const s = y < height - 1 ? d[i + width]! : 0;
      const se = x < width - 1 && y < height - 1 ? d[i + width + 1]! : 0;
      const sw = x > 0 && y < height - 1 ? d[i + width - 1]! : 0;
      d[i] = Math.min(d[i]!, e + 3, s + 3, se + 4, sw + 4);
    }
  }
  for (let i = 0; i < d.length; i++) d[i] = d[i]! / 3;
  return d;
}

/** The value at quantile q (0–1) of the numbers, by sorting a copy. */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  const pos = Math.min(sorted.length - 1, Math.max(0, q * (sorted.length - 1)));
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
