/**
 * Deterministic randomness for the sandbox generator: a seeded xoshiro128** generator, weighted
 * choice, and keyed permutations that hand out unique serial numbers (PIN serials, phone numbers,
 * passport and enterprise codes) that look random but never repeat. Nothing here touches
 * Math.random: the same seed always gives the same sandbox.
 */

/** A 32-bit integer hash with good avalanche (C. Wellons' lowbias32). */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** FNV-1a over the UTF-16 code units of a string, then mixed. */
export function hashString(text: string, salt = 0): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));

/** xoshiro128** (Blackman & Vigna), seeded from a string through four independent hashes. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string) {
    this.a = hashString(seed, 1);
    this.b = hashString(seed, 2);
    this.c = hashString(seed, 3);
    this.d = hashString(seed, 4);
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** A uniform unsigned 32-bit integer. */
  u32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** A uniform number in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** A uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)] as T;
  }
}

/** A table of values with weights, prepared once for O(log n) weighted draws. */
export class Weighted<T> {
  readonly values: readonly T[];
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(entries: readonly (readonly [T, number])[]) {
    if (entries.length === 0) throw new Error('a weighted table needs at least one entry');
    this.values = entries.map(([v]) => v);
    this.cumulative = new Float64Array(entries.length);
    let sum = 0;
    entries.forEach(([, w], i) => {
      if (!(w >= 0)) throw new Error(`negative weight ${w}`);
      sum += w;
      this.cumulative[i] = sum;
    });
    this.total = sum;
  }

  draw(rng: Rng): T {
    const target = rng.float() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cumulative[mid] as number) > target) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo] as T;
  }
}

/**
 * A keyed pseudo-random permutation of [0, size) minus a few excluded values: a 4-round
 * balanced Feistel network on the smallest even number of bits that holds `size`, with cycle
 * walking to stay inside the domain (Black & Rogaway). `at(i)` for i = 0, 1, 2… never repeats.
 */
export class KeyedPermutation {
  private readonly half: number;
  private readonly mask: number;
  private readonly keys: number[];
  private readonly excludedSorted: number[];
  private readonly excludedSet: Set<number>;
  readonly capacity: number;

  constructor(
    readonly size: number,
    key: string,
    excluded: Iterable<number> = [],
  ) {
    if (!Number.isInteger(size) || size < 1 || size > 2 ** 30) throw new RangeError(`permutation size ${size}`);
    let bits = Math.max(2, Math.ceil(Math.log2(size)));
    if (bits % 2 === 1) bits += 1;
    this.half = bits / 2;
    this.mask = (1 << this.half) - 1;
    this.keys = [1, 2, 3, 4].map((r) => hashString(key, r));
    this.excludedSet = new Set([...excluded].filter((v) => v >= 0 && v < size));
    this.excludedSorted = [...this.excludedSet].sort((x, y) => x - y);
    this.capacity = size - this.excludedSet.size;
  }

  private encrypt(x: number): number {
    let l = x >>> this.half;
    let r = x & this.mask;
    for (const k of this.keys) {
      const next = (l ^ mix32(r ^ k)) & this.mask;
      l = r;
      r = next;
    }
    return ((l << this.half) | r) >>> 0;
  }

  /** The i-th value of the permutation (0 ≤ i < capacity). */
  at(index: number): number {
    if (index < 0 || index >= this.capacity) throw new RangeError(`index ${index} outside 0..${this.capacity - 1}`);
    // The index-th value of the domain that is not excluded…
    let x = index;
    for (const e of this.excludedSorted) {
      if (e <= x) x += 1;
      else break;
    }
    // …then permuted, walking the cycle until it lands back inside the allowed set.
    let y = this.encrypt(x);
    while (y >= this.size || this.excludedSet.has(y)) y = this.encrypt(y);
    return y;
  }
}

/**
 * Hands out unique numbers per bucket (e.g. one bucket per PIN prefix `PPPGYY`): each bucket has
 * its own counter and its own keyed permutation, so numbers are unique within a bucket for as
 * long as the bucket has room, and an exhausted bucket is an error, never a duplicate.
 */
export class SerialAllocator {
  private readonly buckets = new Map<string, { perm: KeyedPermutation; next: number }>();

  constructor(
    private readonly size: number,
    private readonly key: string,
    private readonly excluded: (bucket: string) => Iterable<number> = () => [],
  ) {}

  next(bucket: string): number {
    let b = this.buckets.get(bucket);
    if (!b) {
      b = { perm: new KeyedPermutation(this.size, `${this.key}/${bucket}`, this.excluded(bucket)), next: 0 };
      this.buckets.set(bucket, b);
    }
    if (b.next >= b.perm.capacity) throw new Error(`no serial numbers left in bucket ${bucket}`);
    return b.perm.at(b.next++);
  }
}
