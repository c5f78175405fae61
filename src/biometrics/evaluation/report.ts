/**
 * Shared pieces of the evaluation commands (bench/face.ts; bench/fingerprint.ts has its own
 * copies): the generated block of a report between markers, percentages, and the EER regression
 * check against a recorded baseline.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export const REPORT_BEGIN = '<!-- bench:begin -->';
export const REPORT_END = '<!-- bench:end -->';

/**
 * Replaces what lies between the markers of a Markdown report with `generated` (creating the
 * file with `title` when it does not exist). Returns false, writing nothing, when the markers are
 * missing or out of order.
 */
export function writeReportBlock(file: string, generated: string, title: string): boolean {
  const doc = existsSync(file) ? readFileSync(file, 'utf8') : `# ${title}\n\n${REPORT_BEGIN}\n${REPORT_END}\n`;
  const a = doc.indexOf(REPORT_BEGIN);
  const b = doc.indexOf(REPORT_END);
  if (a < 0 || b < a) return false;
  writeFileSync(file, `${doc.slice(0, a + REPORT_BEGIN.length)}\n${generated}\n${doc.slice(b)}`);
  return true;
}

/** 0.0123 → "1.23%" (four decimals below 0.01%). */
export function pct(v: number): string {
  return `${(v * 100).toFixed(v > 0 && v < 0.0001 ? 4 : 2)}%`;
}

export interface EerBaseline {
  /** The EERs measured when the baseline was recorded, per row key. */
  eer: Record<string, number>;
  /** How far above the recorded value a measurement may go before it counts as a regression. */
  tolerance: number;
}

/** Regression messages: one per row above its recorded EER + tolerance or missing from the baseline. */
export function eerRegressions(measured: Record<string, number>, baseline: EerBaseline): string[] {
  const failures: string[] = [];
  for (const [key, value] of Object.entries(measured)) {
    const recorded = baseline.eer[key];
    if (recorded === undefined) failures.push(`${key}: no EER recorded in the baseline (measured ${pct(value)})`);
    else if (value > recorded + baseline.tolerance) {
      failures.push(
        `${key}: EER ${pct(value)} is above the recorded ${pct(recorded)} + ${pct(baseline.tolerance)} tolerance`,
      );
    }
  }
  return failures;
}
