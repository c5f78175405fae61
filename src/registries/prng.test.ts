import { describe, expect, it } from 'vitest';
import { KeyedPermutation, Rng, SerialAllocator, Weighted } from './prng.ts';

describe('Rng', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const a = new Rng('69');
    const b = new Rng('69');
    const c = new Rng('70');
    const xs = Array.from({ length: 50 }, () => a.u32());
    expect(Array.from({ length: 50 }, () => b.u32())).toEqual(xs);
    expect(Array.from({ length: 50 }, () => c.u32())).not.toEqual(xs);
  });

  it('draws roughly uniform integers within bounds', () => {
    const rng = new Rng('uniform');
    const counts = new Array(12).fill(0);
    for (let i = 0; i < 100_000; i++) counts[rng.int(0, 9) + 1]++;
    expect(counts[0]).toBe(0); // nothing below 0…
    expect(counts[11]).toBe(0); // …nor above 9
    for (const n of counts.slice(1, 11)) expect(Math.abs(n - 10_000)).toBeLessThan(500);
  });

  it('draws by weight', () => {
    const rng = new Rng('weights');
    const table = new Weighted([
      ['a', 70],
      ['b', 20],
      ['c', 10],
      ['never', 0],
    ] as const);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 50_000; i++) {
      const v = table.draw(rng);
      counts[v] = (counts[v] ?? 0) + 1;
    }
    expect(counts.never).toBeUndefined();
    expect((counts.a ?? 0) / 50_000).toBeCloseTo(0.7, 1);
    expect((counts.c ?? 0) / 50_000).toBeCloseTo(0.1, 1);
  });
});

describe('KeyedPermutation', () => {
  it('is a permutation of the domain, for sizes that are and are not powers of four', () => {
    for (const size of [1, 2, 10, 16, 1000, 4097]) {
      const perm = new KeyedPermutation(size, `k${size}`);
      const seen = new Set<number>();
      for (let i = 0; i < size; i++) seen.add(perm.at(i));
      expect(seen.size).toBe(size);
      expect(Math.min(...seen)).toBe(0);
      expect(Math.max(...seen)).toBe(size - 1);
    }
  });

  it('never hands out an excluded value, and still covers the rest', () => {
    const perm = new KeyedPermutation(1000, 'x', [0, 17, 999, 5000]);
    expect(perm.capacity).toBe(997);
    const values = Array.from({ length: 997 }, (_, i) => perm.at(i));
    expect(new Set(values).size).toBe(997);
    for (const v of [0, 17, 999]) expect(values).not.toContain(v);
    expect(() => perm.at(997)).toThrow(RangeError);
  });

  it('looks random: consecutive indexes are not consecutive values', () => {
    const perm = new KeyedPermutation(1_000_000, 'pins');
    const first = Array.from({ length: 20 }, (_, i) => perm.at(i));
    const gaps = first.slice(1).map((v, i) => Math.abs(v - (first[i] as number)));
    expect(gaps.filter((g) => g === 1)).toHaveLength(0);
  });
});

describe('SerialAllocator', () => {
  it('is unique per bucket and says so when a bucket runs out', () => {
    const alloc = new SerialAllocator(5, 'k', (bucket) => (bucket === 'b' ? [2] : []));
    const a = Array.from({ length: 5 }, () => alloc.next('a'));
    expect(new Set(a).size).toBe(5);
    const b = Array.from({ length: 4 }, () => alloc.next('b'));
    expect(b).not.toContain(2);
    expect(() => alloc.next('b')).toThrow(/no serial numbers left in bucket b/);
  });
});
