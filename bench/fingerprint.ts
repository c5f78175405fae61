/**
 * Fingerprint evaluation on the shared labelled samples (issue "Biometrics", item 5), run in CI:
 *
 *   node bin/run-ts.js bench/fingerprint.ts [--no-write] [--check-speed]
 *
 * (a) template to template: every set of ISO/IEC 19794-2 templates under
 *     `$BIOMETRICS_DATA/fingerprints/` (default `../shared/data/biometrics`), FVC protocol from
 *     pairs.csv (.tif → .iso): 280 genuine and 45 impostor comparisons per set. The templates
 *     sit in a frame stretched to 300x400 (see the samples' MANIFEST.md); they are scored as
 *     stored and, for comparison, with the aspect ratio restored from the FVC image size.
 * (b) image to image: the fvc2002-db2-b .tif images, extracted here and matched.
 * (c) speed: milliseconds per extraction and comparisons per second on one core.
 *
 * Beside the FVC protocol every set is also scored on all its impostor pairs (every two
 * impressions of different fingers, 2,880), which gives the FMR a finer resolution.
 *
 * Writes docs/biometrics-fingerprint.md (between its `bench:begin`/`bench:end` markers) and
 * docs/biometrics-fingerprint-det.svg unless --no-write. Exits 1 when an EER is above the value
 * recorded in src/biometrics/fingerprint/baseline.json (and, with --check-speed, when the speed
 * targets are missed); exits 2 when the samples are missing.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { detPlotSvg, type DetSeries } from '../src/biometrics/evaluation/det-svg.ts';
import {
  detCurve,
  equalErrorRate,
  errorRatesAt,
  summarize,
  thresholdForFmr,
} from '../src/biometrics/evaluation/metrics.ts';
import { biometricsDataDir, readPairs, type LabelledPair } from '../src/biometrics/evaluation/samples.ts';
import { extractMinutiae } from '../src/biometrics/fingerprint/extract.ts';
import { parseIsoTemplate } from '../src/biometrics/fingerprint/iso19794-2.ts';
import { DEFAULT_THRESHOLD, match, prepare, type PreparedTemplate } from '../src/biometrics/fingerprint/match.ts';
import type { FingerprintTemplate } from '../src/biometrics/fingerprint/model.ts';
import { decodeTiff } from '../src/biometrics/fingerprint/tiff.ts';

const { values: args } = parseArgs({
  options: { 'no-write': { type: 'boolean', default: false }, 'check-speed': { type: 'boolean', default: false } },
});
const started = performance.now();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const baselinePath = path.join(root, 'src/biometrics/fingerprint/baseline.json');
const reportPath = path.join(root, 'docs/biometrics-fingerprint.md');
const svgPath = path.join(root, 'docs/biometrics-fingerprint-det.svg');

const dataDir = path.join(biometricsDataDir(), 'fingerprints');
const pairsPath = path.join(dataDir, 'pairs.csv');
if (!existsSync(pairsPath)) {
  console.error(`fingerprint samples not found: ${pairsPath} (set BIOMETRICS_DATA to the biometrics folder)`);
  process.exit(2);
}

interface Baseline {
  threshold: number;
  /** Highest acceptable EER per row key. */
  eer: Record<string, number>;
  maxExtractionMs: number;
  minComparisonsPerSecond: number;
}
const baseline = JSON.parse(readFileSync(baselinePath, 'utf8')) as Baseline;
if (baseline.threshold !== DEFAULT_THRESHOLD) {
  console.error(`baseline.json threshold ${baseline.threshold} differs from DEFAULT_THRESHOLD ${DEFAULT_THRESHOLD}`);
  process.exit(1);
}
const threshold = DEFAULT_THRESHOLD;

/**
 * Image sizes of the FVC databases (from the FVC2002/FVC2004 descriptions), to undo the 300x400
 * stretch of the stored templates; dpi is the scanner's.
 */
const FVC_GEOMETRY: Record<string, { width: number; height: number; dpi: number }> = {
  'fvc2002-db2-b': { width: 296, height: 560, dpi: 569 },
  'fvc2002-db3-b': { width: 300, height: 300, dpi: 500 },
  'fvc2002-db4-b': { width: 288, height: 384, dpi: 500 },
  'fvc2004-db1-b': { width: 640, height: 480, dpi: 500 },
  'fvc2004-db3-b': { width: 300, height: 480, dpi: 512 },
  'fvc2004-db4-b': { width: 288, height: 384, dpi: 500 },
};

function restoreAspect(set: string, t: FingerprintTemplate): FingerprintTemplate | undefined {
  const g = FVC_GEOMETRY[set];
  if (!g) return undefined;
  const fx = g.width / t.width;
  const fy = g.height / t.height;
  const ppcm = Math.round(g.dpi / 2.54);
  return {
    ...t,
    width: g.width,
    height: g.height,
    resolutionX: ppcm,
    resolutionY: ppcm,
    minutiae: t.minutiae.map((m) => ({
      ...m,
      x: m.x * fx,
      y: m.y * fy,
      angle: Math.atan2(Math.sin(m.angle) * fy, Math.cos(m.angle) * fx),
    })),
  };
}

interface Row {
  key: string;
  set: string;
  kind: string;
  genuine: number[];
  impostor: number[];
  /** Every impostor pair of the set (different fingers), for a finer FMR. */
  allImpostor: number[];
  eer: number;
  eerAll: number;
  fmr: number;
  fnmr: number;
  falseMatches: number;
  falseMatchesAll: number;
  fmrAll: number;
  fnmrAtFmr1: number;
  minutiae: { mean: number; min: number; max: number };
}

const pairs = readPairs(pairsPath);
const sets = [...new Set(pairs.map((p) => p.a.split('/')[0]!))].sort();
const fingerOf = (file: string) => path.basename(file).split('_')[0]!;

function evaluate(
  key: string,
  set: string,
  kind: string,
  templates: Map<string, PreparedTemplate>,
  counts: number[],
): Row {
  const setPairs = pairs.filter((p) => p.a.startsWith(`${set}/`));
  const name = (p: string) => path.basename(p).replace(/\.[a-z]+$/, '');
  const score = (p: LabelledPair) => {
    const a = templates.get(name(p.a));
    const b = templates.get(name(p.b));
    if (!a || !b) throw new Error(`${key}: no template for ${p.a} or ${p.b}`);
    return match(a, b);
  };
  const genuine = setPairs.filter((p) => p.genuine).map(score);
  const impostor = setPairs.filter((p) => !p.genuine).map(score);
  const names = [...templates.keys()].sort();
  const allImpostor: number[] = [];
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      if (fingerOf(names[i]!) !== fingerOf(names[j]!))
        allImpostor.push(match(templates.get(names[i]!)!, templates.get(names[j]!)!));
    }
  }
  const at = errorRatesAt(genuine, impostor, threshold);
  const atAll = errorRatesAt(genuine, allImpostor, threshold);
  const s = summarize(counts);
  return {
    key,
    set,
    kind,
    genuine,
    impostor,
    allImpostor,
    eer: equalErrorRate(genuine, impostor).eer,
    eerAll: equalErrorRate(genuine, allImpostor).eer,
    fmr: at.fmr,
    fnmr: at.fnmr,
    falseMatches: at.falseMatches,
    falseMatchesAll: atAll.falseMatches,
    fmrAll: atAll.fmr,
    fnmrAtFmr1: errorRatesAt(genuine, allImpostor, thresholdForFmr(allImpostor, 0.01)).fnmr,
    minutiae: { mean: s.mean, min: s.min, max: s.max },
  };
}

const rows: Row[] = [];

// (a) template to template ---------------------------------------------------------------------
for (const set of sets) {
  const dir = path.join(dataDir, set);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.iso'))
    .sort();
  if (files.length === 0) continue;
  const stored = new Map<string, PreparedTemplate>();
  const restored = new Map<string, PreparedTemplate>();
  const counts: number[] = [];
  for (const f of files) {
    const t = parseIsoTemplate(readFileSync(path.join(dir, f)));
    counts.push(t.minutiae.length);
    stored.set(f.replace(/\.iso$/, ''), prepare(t));
    const r = restoreAspect(set, t);
    if (r) restored.set(f.replace(/\.iso$/, ''), prepare(r));
  }
  rows.push(evaluate(`${set} templates`, set, 'ISO templates as stored (300x400 frame)', stored, counts));
  if (restored.size)
    rows.push(evaluate(`${set} templates restored`, set, 'ISO templates, aspect restored', restored, counts));
}

// (b) image to image ---------------------------------------------------------------------------
const imageSet = 'fvc2002-db2-b';
const imageDir = path.join(dataDir, imageSet);
const tifs = existsSync(imageDir)
  ? readdirSync(imageDir)
      .filter((f) => f.endsWith('.tif'))
      .sort()
  : [];
const extractionMs: number[] = [];
const extractionCpuMs: number[] = [];
const extracted = new Map<string, PreparedTemplate>();
const extractedCounts: number[] = [];
let coldExtractionMs = NaN;
if (tifs.length) {
  const dpi = FVC_GEOMETRY[imageSet]!.dpi;
  // the first calls run before V8 has optimised the hot loops: time the very first one, then
  // warm up on a few more images before measuring
  const coldStart = performance.now();
  extractMinutiae(decodeTiff(readFileSync(path.join(imageDir, tifs[0]!))), { dpi });
  coldExtractionMs = performance.now() - coldStart;
  for (const f of tifs.slice(1, 8)) extractMinutiae(decodeTiff(readFileSync(path.join(imageDir, f))), { dpi });
  for (const f of tifs) {
    const image = decodeTiff(readFileSync(path.join(imageDir, f)));
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    const t = extractMinutiae(image, { dpi });
    extractionMs.push(performance.now() - t0);
    const used = process.cpuUsage(cpu);
    extractionCpuMs.push((used.user + used.system) / 1000);
    extractedCounts.push(t.minutiae.length);
    extracted.set(f.replace(/\.tif$/, ''), prepare(t));
  }
  rows.push(evaluate(`${imageSet} images`, imageSet, 'images (extracted here), 569 dpi', extracted, extractedCounts));
}

// (c) speed ------------------------------------------------------------------------------------
function comparisonRate(templates: PreparedTemplate[]): { wall: number; cpu: number; count: number } {
  let count = 0;
  let sink = 0;
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  for (let a = 0; a < templates.length; a++) {
    for (let b = 0; b < templates.length; b++) {
      if (a === b) continue;
      sink += match(templates[a]!, templates[b]!);
      count++;
    }
  }
  const wall = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu);
  if (!Number.isFinite(sink)) throw new Error('non-finite score');
  return { wall: count / wall, cpu: count / ((used.user + used.system) / 1e6), count };
}
const speedSet = rows.find((r) => r.key === `${imageSet} templates`) ? imageSet : sets[0]!;
const isoForSpeed = readdirSync(path.join(dataDir, speedSet))
  .filter((f) => f.endsWith('.iso'))
  .sort()
  .map((f) => prepare(parseIsoTemplate(readFileSync(path.join(dataDir, speedSet, f)))));
comparisonRate(isoForSpeed.slice(0, 20)); // warm-up
const isoRate = comparisonRate(isoForSpeed);
const imageRate = extracted.size ? comparisonRate([...extracted.values()]) : undefined;
const isoFiles = readdirSync(path.join(dataDir, speedSet)).filter((f) => f.endsWith('.iso'));
const parsedForPrepare = isoFiles.map((f) => parseIsoTemplate(readFileSync(path.join(dataDir, speedSet, f))));
const prepareT0 = performance.now();
for (let r = 0; r < 5; r++) for (const t of parsedForPrepare) prepare(t);
const prepareMs = (performance.now() - prepareT0) / (5 * parsedForPrepare.length);
const extraction = summarize(extractionMs);
const extractionCpu = summarize(extractionCpuMs);
const totalSeconds = (performance.now() - started) / 1000;

// report ---------------------------------------------------------------------------------------
const pct = (v: number) => `${(v * 100).toFixed(v > 0 && v < 0.0001 ? 4 : 2)}%`;
const table: string[] = [];
table.push(
  '| set | templates | minutiae mean (min–max) | genuine / impostor | EER (FVC protocol) | FMR at threshold | FNMR at threshold | EER (all 2,880 impostor pairs) | FMR at threshold (all) | FNMR at FMR ≤ 1% (all) |',
);
table.push('|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  table.push(
    `| ${r.set} | ${r.kind} | ${r.minutiae.mean.toFixed(1)} (${r.minutiae.min}–${r.minutiae.max}) | ${r.genuine.length} / ${r.impostor.length} | ${pct(r.eer)} | ${pct(r.fmr)} (${r.falseMatches}/${r.impostor.length}) | ${pct(r.fnmr)} | ${pct(r.eerAll)} | ${pct(r.fmrAll)} (${r.falseMatchesAll}/${r.allImpostor.length}) | ${pct(r.fnmrAtFmr1)} |`,
  );
}
const scoreLines = rows.map((r) => {
  const g = summarize(r.genuine);
  const i = summarize(r.allImpostor);
  return `| ${r.key} | ${g.median.toFixed(3)} | ${g.min.toFixed(3)} | ${i.median.toFixed(3)} | ${i.max.toFixed(3)} |`;
});
const pooledImpostors = rows.filter((r) => !r.key.endsWith('restored')).flatMap((r) => r.allImpostor);
const pooledFalse = pooledImpostors.filter((s) => s >= threshold).length;

const lines: string[] = [];
lines.push(
  `Generated by \`node bin/run-ts.js bench/fingerprint.ts\` (${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${process.platform}/${process.arch}).`,
);
lines.push('');
lines.push(`Decision threshold: **${threshold}** (accept when score ≥ threshold).`);
lines.push('');
lines.push(...table);
lines.push('');
lines.push(
  `Pooled over every impostor pair of the seven rows above that are not "aspect restored" (${pooledImpostors.length} comparisons): ${pooledFalse} at or above the threshold (FMR ${pct(pooledFalse / pooledImpostors.length)}).`,
);
lines.push('');
lines.push('Score distributions (genuine: FVC pairs; impostor: all different-finger pairs):');
lines.push('');
lines.push('| row | genuine median | genuine min | impostor median | impostor max |');
lines.push('|---|---|---|---|---|');
lines.push(...scoreLines);
lines.push('');
lines.push('Speed (one core, this machine; wall clock and, in brackets, process CPU time):');
lines.push('');
lines.push('| measure | value |');
lines.push('|---|---|');
if (extractionMs.length) {
  lines.push(
    `| extraction, fvc2002-db2-b 296x560 (${extractionMs.length} images) | mean ${extraction.mean.toFixed(0)} ms, median ${extraction.median.toFixed(0)} ms, max ${extraction.max.toFixed(0)} ms (CPU: mean ${extractionCpu.mean.toFixed(0)}, median ${extractionCpu.median.toFixed(0)}, max ${extractionCpu.max.toFixed(0)} ms) |`,
  );
  lines.push(`| first extraction in a fresh process (before JIT warm-up) | ${coldExtractionMs.toFixed(0)} ms |`);
}
lines.push(
  `| comparisons, ${speedSet} ISO templates (${isoRate.count}) | ${Math.round(isoRate.wall)} per second (CPU ${Math.round(isoRate.cpu)}) |`,
);
if (imageRate) {
  lines.push(
    `| comparisons, extracted templates (${imageRate.count}) | ${Math.round(imageRate.wall)} per second (CPU ${Math.round(imageRate.cpu)}) |`,
  );
}
lines.push(`| \`prepare\` per template | ${prepareMs.toFixed(2)} ms |`);
lines.push(`| whole bench | ${totalSeconds.toFixed(1)} s |`);
const generated = lines.join('\n');

console.log(generated);

// DET plot on the all-impostor-pairs protocol (finer FMR), threshold marked
const series: DetSeries[] = rows
  .filter((r) => !r.key.endsWith('restored'))
  .map((r) => ({
    label: `${r.set}${r.key.endsWith('images') ? ' images' : ''} (EER ${(r.eerAll * 100).toFixed(1)}%)`,
    points: detCurve(r.genuine, r.allImpostor),
    marker: { fmr: r.fmrAll, fnmr: r.fnmr, label: `threshold ${threshold}` },
  }));
const svg = detPlotSvg(series, {
  title: 'Fingerprint DET: FVC B sets, 280 genuine / 2,880 impostor comparisons each',
  fmrMin: 0.0002,
  fnmrMin: 0.001,
  max: 0.8,
  caption:
    'Templates: ISO 19794-2 files as stored (stretched 300x400 frame); "images": fvc2002-db2-b .tif extracted by this code. Rates of 0 are drawn on the axis minimum. Dots: the decision threshold. Tiny sets (10 fingers each): read the curves as a regression check, not as production accuracy.',
});

if (!args['no-write']) {
  writeFileSync(svgPath, svg);
  const begin = '<!-- bench:begin -->';
  const end = '<!-- bench:end -->';
  const doc = existsSync(reportPath)
    ? readFileSync(reportPath, 'utf8')
    : `# Fingerprint matching\n\n${begin}\n${end}\n`;
  const a = doc.indexOf(begin);
  const b = doc.indexOf(end);
  if (a < 0 || b < a) {
    console.error(`${reportPath}: markers ${begin} … ${end} not found; report not written`);
    process.exitCode = 1;
  } else {
    writeFileSync(reportPath, `${doc.slice(0, a + begin.length)}\n${generated}\n${doc.slice(b)}`);
  }
}

// regression check -----------------------------------------------------------------------------
const failures: string[] = [];
for (const r of rows) {
  for (const [key, value] of [
    [r.key, r.eer],
    [`${r.key} all`, r.eerAll],
  ] as const) {
    const limit = baseline.eer[key];
    if (limit === undefined) failures.push(`${key}: no EER recorded in baseline.json (measured ${pct(value)})`);
    else if (value > limit) failures.push(`${key}: EER ${pct(value)} is above the recorded ${pct(limit)}`);
  }
}
if (args['check-speed']) {
  if (extractionMs.length && extraction.mean > baseline.maxExtractionMs) {
    failures.push(`extraction takes ${extraction.mean.toFixed(0)} ms on average (limit ${baseline.maxExtractionMs})`);
  }
  if (isoRate.cpu < baseline.minComparisonsPerSecond) {
    failures.push(`${Math.round(isoRate.cpu)} comparisons per CPU second (limit ${baseline.minComparisonsPerSecond})`);
  }
}
if (failures.length) {
  console.error(`\nFAILED:\n  ${failures.join('\n  ')}`);
  process.exitCode = 1;
} else {
  console.log(`\nall EERs within the recorded baseline (${totalSeconds.toFixed(1)} s)`);
}
