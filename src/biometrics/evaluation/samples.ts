/**
 * Where the shared labelled biometric samples live, and their pair lists. Default:
 * `../shared/data/biometrics` next to the repository; `BIOMETRICS_DATA` overrides it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export function biometricsDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.BIOMETRICS_DATA;
  return override ? path.resolve(override) : path.resolve(repositoryRoot, '../shared/data/biometrics');
}

export interface LabelledPair {
  /** Paths relative to the pair file's folder. */
  a: string;
  b: string;
  genuine: boolean;
}

/** Reads a `a,b,label` CSV (label 1 = same subject, 0 = different). */
export function readPairs(csvPath: string): LabelledPair[] {
  const lines = readFileSync(csvPath, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  const header = lines.shift();
  if (header?.trim() !== 'a,b,label') throw new Error(`${csvPath}: expected the header "a,b,label"`);
  return lines.map((line, i) => {
    const [a, b, label, ...rest] = line.split(',');
    if (!a || !b || (label !== '0' && label !== '1') || rest.length) {
      throw new Error(`${csvPath}:${i + 2}: expected "a,b,0|1"`);
    }
    return { a, b, genuine: label === '1' };
  });
}
