import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eerRegressions, pct, REPORT_BEGIN, REPORT_END, writeReportBlock } from './report.ts';

describe('evaluation report helpers', () => {
  it('rewrites only the block between the markers, creating the report when missing', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'report-'));
    const file = path.join(dir, 'r.md');
    expect(writeReportBlock(file, 'first', 'Title')).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(`# Title\n\n${REPORT_BEGIN}\nfirst\n${REPORT_END}\n`);
    writeFileSync(file, `intro\n${REPORT_BEGIN}\nold\n${REPORT_END}\noutro\n`);
    expect(writeReportBlock(file, 'new', 'Title')).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(`intro\n${REPORT_BEGIN}\nnew\n${REPORT_END}\noutro\n`);
    writeFileSync(file, 'no markers');
    expect(writeReportBlock(file, 'x', 'Title')).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('no markers');
  });

  it('formats rates and flags EERs above the baseline plus tolerance', () => {
    expect(pct(0.0123)).toBe('1.23%');
    expect(pct(0.00005)).toBe('0.0050%');
    const baseline = { eer: { a: 0.01, b: 0.02 }, tolerance: 0.005 };
    expect(eerRegressions({ a: 0.014, b: 0.02 }, baseline)).toEqual([]);
    expect(eerRegressions({ a: 0.016, c: 0.1 }, baseline)).toEqual([
      'a: EER 1.60% is above the recorded 1.00% + 0.50% tolerance',
      'c: no EER recorded in the baseline (measured 10.00%)',
    ]);
  });
});
