import { describe, expect, test } from 'vitest';
import { searchProcedures } from './catalogue.ts';
import { fold, queryTerms } from './fold.ts';
import { usePortalDatabase } from './testing.ts';

/** The service catalogue's search: Vietnamese keywords with or without diacritics (seed 004, step 7). */
const p = usePortalDatabase();

describe('folding Vietnamese for search', () => {
  test('diacritics go, đ becomes d, case and punctuation do not count', () => {
    expect(fold('Hộ chiếu')).toBe('ho chieu');
    expect(fold('HỘ CHIẾU')).toBe('ho chieu');
    expect(fold('Đăng ký khai sinh')).toBe('dang ky khai sinh');
    expect(fold('  lý-lịch   tư pháp! ')).toBe('ly lich tu phap');
    // Decomposed input (NFD, as some keyboards send it) folds the same.
    expect(fold('Hộ chiếu'.normalize('NFD'))).toBe('ho chieu');
    expect(queryTerms('hộ chiếu HO CHIEU')).toEqual(['ho', 'chieu']);
  });
});

describe('catalogue search', () => {
  const codes = async (q: string) => (await searchProcedures(p.database.db, q)).map((x) => x.code);

  test.each(['hộ chiếu', 'ho chieu', 'HO CHIEU', 'Hộ Chiếu', 'hô chiêu', 'passport'])(
    '"%s" finds the passport procedures',
    async (q) => {
      const found = await codes(q);
      expect(found).toContain('XNC-HC-01');
      expect(found).toContain('XNC-HC-02');
      expect(found).not.toContain('TP-KS-01');
    },
  );

  test('the words narrow the search: "cap lai ho chieu" finds the reissue first', async () => {
    const found = await codes('cap lai ho chieu');
    expect(found[0]).toBe('XNC-HC-02');
    expect(found).not.toContain('XNC-HC-03');
  });

  test('đ folds to d: "dang ky khai sinh" finds "Đăng ký khai sinh"', async () => {
    expect(await codes('dang ky khai sinh')).toEqual(['TP-KS-01']);
    expect(await codes('Đăng ký khai sinh')).toEqual(['TP-KS-01']);
  });

  test('nothing matches nonsense; an empty query lists the whole catalogue in order', async () => {
    expect(await codes('xyzzy')).toEqual([]);
    const all = await codes('');
    expect(all[0]).toBe('XNC-HC-01');
    expect(all.length).toBeGreaterThanOrEqual(6);
  });

  test('each procedure shows its conditions, fee, legal deadline and documents', async () => {
    const [first] = await searchProcedures(p.database.db, 'ho chieu lan dau');
    expect(first).toMatchObject({
      code: 'XNC-HC-01',
      fee_vnd: 200_000,
      deadline_working_days: 8,
      online_form: 'passport_first',
    });
    expect(first!.conditions_vi.join(' ')).toContain('mức độ 2');
    expect(first!.documents.map((d) => d.name_vi).join(' ')).toContain('Ảnh chân dung');
  });
});
