/**
 * The fingerprint matcher behind the issuance flows' verification port (`BiometricVerifier`):
 * each captured finger (a 500 dpi greyscale TIFF with its ISO/IEC 19794-2 finger position) is
 * reduced to minutiae and compared with the reference template of the same finger on record; the
 * fingers are decided together (level 2: two different fingers must each match). Captures are used
 * and dropped; templates never leave this context (results and log lines carry the decision, the
 * fused score, the quality reasons and timings only).
 */
import { readFile } from 'node:fs/promises';
import type { BiometricCheck } from '../../issuance/model.ts';
import type { BiometricVerifier, Capture } from '../../issuance/ports.ts';
import type { SandboxVerifier } from '../../issuance/sandbox-verifier.ts';
import type { Logger } from '../../platform/logger.ts';
import type { NationalRegistries } from '../../registries/ports.ts';
import { isFingerPosition, type Subject } from '../model.ts';
import { ImageFormatError } from './errors.ts';
import { extractMinutiae } from './extract.ts';
import {
  DEFAULT_THRESHOLD,
  LEVEL2_POLICY,
  decideMultiFinger,
  match,
  prepare,
  type MultiFingerPolicy,
  type PreparedTemplate,
} from './match.ts';
import type { FingerprintTemplate } from './model.ts';
import { decodeTiff } from './tiff.ts';

/** Names the matcher in results and in stored references (bump when extraction or matching changes). */
export const FINGERPRINT_ENGINE = 'dinhdanh-minutiae 1 (ISO/IEC 19794-2)';

/** Fewer minutiae than this is a retake: the matcher needs about 8 paired ones to score high. */
export const MIN_MINUTIAE = 12;

/** A finger image is about 0.2 megapixels at 500 dpi (0.6 rolled); refuse anything far larger. */
export const MAX_PIXELS = 2_000_000;

/** Resolution assumed when the TIFF states none (scanners certified for ID work give 500 dpi). */
export const DEFAULT_CAPTURE_DPI = 500;

/** Why a finger capture cannot be used; these codes go to `BiometricCheck.quality`. */
export type FingerQualityCode =
  | 'not_an_image'
  | 'truncated_image'
  | 'unsupported_image'
  | 'image_too_small'
  | 'image_too_large'
  | 'unsupported_resolution'
  | 'too_few_minutiae'
  | 'unknown_finger'
  | 'too_few_fingers';

export type FingerCapture = { ok: true; template: FingerprintTemplate } | { ok: false; quality: FingerQualityCode };

const IMAGE_CODES: Record<ImageFormatError['code'], FingerQualityCode> = {
  NOT_TIFF: 'not_an_image',
  TRUNCATED: 'truncated_image',
  UNSUPPORTED: 'unsupported_image',
  INVALID_FIELD: 'not_an_image',
};

/**
 * From the bytes of one finger image to its minutiae template, or the reason it cannot be used:
 * decoding (uncompressed 8-bit greyscale TIFF), size and resolution limits, extraction, and at
 * least `minMinutiae` minutiae.
 */
export function readFingerCapture(
  image: Uint8Array,
  options: { dpi?: number; minMinutiae?: number } = {},
): FingerCapture {
  let decoded;
  try {
    decoded = decodeTiff(image);
  } catch (e) {
    if (e instanceof ImageFormatError) return { ok: false, quality: IMAGE_CODES[e.code] };
    throw e;
  }
  if (decoded.width < 64 || decoded.height < 64) return { ok: false, quality: 'image_too_small' };
  if (decoded.width * decoded.height > MAX_PIXELS) return { ok: false, quality: 'image_too_large' };
  const dpi = decoded.dpi ?? options.dpi ?? DEFAULT_CAPTURE_DPI;
  if (!(dpi >= 250 && dpi <= 1200)) return { ok: false, quality: 'unsupported_resolution' };
  let template: FingerprintTemplate;
  try {
    template = extractMinutiae(decoded, { dpi });
  } catch (e) {
    if (e instanceof ImageFormatError) return { ok: false, quality: IMAGE_CODES[e.code] };
    throw e;
  }
  if (template.minutiae.length < (options.minMinutiae ?? MIN_MINUTIAE))
    return { ok: false, quality: 'too_few_minutiae' };
  return { ok: true, template };
}

/** Where reference templates come from (the registry's fingerprints, enrolled once). */
export interface FingerprintReferenceSource {
  /** The subject's reference for one finger position (1–10), or null when there is none. */
  referenceOf(subject: Subject, finger: number): Promise<FingerprintTemplate | null>;
}

export interface FingerprintVerifierOptions {
  registries: NationalRegistries;
  references: FingerprintReferenceSource;
  /** One finger matches when its score reaches this (default `DEFAULT_THRESHOLD`, 0.15). */
  threshold?: number;
  /** How the fingers are decided together (default `LEVEL2_POLICY`: two fingers must match). */
  policy?: MultiFingerPolicy;
  /** Resolution of captures whose TIFF states none (default 500 dpi). */
  dpi?: number;
  minMinutiae?: number;
  logger?: Logger;
}

/** How many different fingers a policy needs. */
function fingersNeeded(policy: MultiFingerPolicy): number {
  return policy.kind === 'atLeast' ? policy.count : policy.fingers;
}

export class FingerprintVerifier implements BiometricVerifier {
  readonly threshold: number;
  readonly policy: MultiFingerPolicy;

  constructor(private readonly options: FingerprintVerifierOptions) {
    this.threshold = options.threshold ?? DEFAULT_THRESHOLD;
    this.policy = options.policy ?? LEVEL2_POLICY;
  }

  async verify(subject: Subject, captures: Capture[]): Promise<BiometricCheck[]> {
    const fingers = captures.filter((c) => c.kind === 'fingerprint');
    if (fingers.length === 0) return [];
    const started = performance.now();
    const { check, matchingFingers } = await this.decide(subject, fingers);
    this.options.logger?.info(
      {
        check: { kind: check.kind, decision: check.decision, score: check.score, quality: check.quality },
        fingers: fingers.length,
        matchingFingers,
        subjectKind: subject.kind,
        ms: Math.round(performance.now() - started),
      },
      'fingerprint verification',
    );
    return [check];
  }

  private async decide(
    subject: Subject,
    fingers: Capture[],
  ): Promise<{ check: BiometricCheck; matchingFingers: number | null }> {
    const base = { kind: 'fingerprint', threshold: this.threshold, engine: FINGERPRINT_ENGINE } as const;
    const refuse = (decision: 'poor_quality' | 'no_reference', quality: string[]) => ({
      check: { ...base, decision, score: null, quality },
      matchingFingers: null,
    });
    // 1. the captures: unusable ones are a retake, whatever is on record
    const probes = new Map<number, PreparedTemplate[]>();
    const reasons = new Set<FingerQualityCode>();
    for (const capture of fingers) {
      if (!isFingerPosition(capture.finger)) reasons.add('unknown_finger');
      const read = readFingerCapture(capture.image, this.options);
      if (!read.ok) reasons.add(read.quality);
      else if (isFingerPosition(capture.finger)) {
        probes.set(capture.finger, [...(probes.get(capture.finger) ?? []), prepare(read.template)]);
      }
    }
    if (reasons.size > 0) return refuse('poor_quality', [...reasons]);
    const needed = fingersNeeded(this.policy);
    if (probes.size < needed) return refuse('poor_quality', ['too_few_fingers']);
    // 2. the references: the same finger on record
    const registry =
      subject.kind === 'citizen' ? this.options.registries.identity : this.options.registries.immigration;
    const onRecord = (await registry.biometricsOf(subject.registryId)).some((r) => r.kind === 'fingerprint');
    if (!onRecord) return refuse('no_reference', []);
    const scores: number[] = [];
    for (const [finger, captured] of probes) {
      const reference = await this.options.references.referenceOf(subject, finger);
      if (!reference) continue;
      const prepared = prepare(reference);
      // the same finger captured twice counts once, at its better score
      scores.push(Math.max(...captured.map((probe) => match(probe, prepared))));
    }
    if (scores.length < needed) return refuse('no_reference', []);
    // 3. the fingers together
    const decision = decideMultiFinger(scores, this.threshold, this.policy);
    return {
      check: {
        ...base,
        decision: decision.accepted ? 'match' : 'no_match',
        score: Math.round(decision.fusedScore * 1e4) / 1e4,
        quality: [],
      },
      matchingFingers: decision.matchingFingers,
    };
  }
}

type SandboxSamples = Pick<SandboxVerifier, 'identityOf' | 'samplesOf'>;

/**
 * Sandbox references: the sandbox gives each demo person one FVC finger
 * (`SandboxVerifier.identityOf('fingerprint', …)`), whose samples are eight impressions of that
 * one finger. Impression 1 stands for every finger position on record; the person's other
 * impressions are their genuine captures (any position), another identity's are an impostor's.
 * Enrolled once per identity and kept in memory as a template, never as an image.
 */
export class SandboxFingerprintReferences implements FingerprintReferenceSource {
  private readonly cache = new Map<string, Promise<FingerprintTemplate | null>>();
  private readonly read = new Map<string, Promise<FingerCapture>>();

  constructor(
    private readonly sandbox: SandboxSamples,
    private readonly options: { dpi?: number } = {},
  ) {}

  /** The same template for every position 1–10 (the samples hold one finger per identity). */
  referenceOf(subject: Subject, finger: number): Promise<FingerprintTemplate | null> {
    if (!isFingerPosition(finger)) return Promise.resolve(null);
    const label = this.sandbox.identityOf('fingerprint', subject.registryId);
    const file = this.sandbox.samplesOf('fingerprint', subject.registryId)[0];
    if (label === null || file === undefined) return Promise.resolve(null);
    let pending = this.cache.get(label);
    if (!pending) {
      pending = this.capture(file).then((c) => (c.ok ? c.template : null));
      pending.catch(() => this.cache.delete(label));
      this.cache.set(label, pending);
    }
    return pending;
  }

  /**
   * The person's other impressions that match their reference at the threshold, in file order:
   * what tests and the demo should send as genuine captures (two of them, at two positions, for
   * level 2). On the shared set every identity has at least two; fvc2002-db2-b/109, whose first
   * impression is a poor one, has only two (`_2`, `_5`).
   */
  async samplesPassing(registryId: string, threshold = DEFAULT_THRESHOLD): Promise<string[]> {
    const reference = await this.referenceOf({ kind: 'citizen', registryId }, 1);
    if (!reference) return [];
    const prepared = prepare(reference);
    const files = this.sandbox.samplesOf('fingerprint', registryId).slice(1);
    const captures = await Promise.all(files.map((f) => this.capture(f)));
    return files.filter((_, i) => {
      const c = captures[i]!;
      return c.ok && match(prepare(c.template), prepared) >= threshold;
    });
  }

  private capture(file: string): Promise<FingerCapture> {
    let pending = this.read.get(file);
    if (!pending) {
      pending = readFile(file).then((bytes) => readFingerCapture(bytes, this.options));
      pending.catch(() => this.read.delete(file));
      this.read.set(file, pending);
    }
    return pending;
  }
}
