/**
 * The face matcher behind the issuance flows' verification port (`BiometricVerifier`): a face
 * capture is compared with the reference template of the subject's portrait on record. The
 * capture is used and dropped; the template never leaves this folder (results and log lines carry
 * the score, the decision and the quality reasons only).
 */
import type { BiometricCheck } from '../../issuance/model.ts';
import type { BiometricVerifier, Capture } from '../../issuance/ports.ts';
import type { SandboxVerifier } from '../../issuance/sandbox-verifier.ts';
import type { Logger } from '../../platform/logger.ts';
import type { NationalRegistries } from '../../registries/ports.ts';
import { readFile } from 'node:fs/promises';
import { FaceExtractor, type FaceCapture, type FaceExtractorOptions } from './extract.ts';
import { isFaceProblem, qualityCodeOf } from './problems.ts';
import { compareTemplates, type FaceTemplate } from './template.ts';
import type { Subject } from '../model.ts';

export type { Subject };

/**
 * Decision threshold on the score (accept when score ≥ threshold): 0.55, i.e. descriptor distance
 * ≤ 0.54, set for a low false match rate on the shared samples (docs/biometrics-face.md).
 */
export const DEFAULT_THRESHOLD = 0.55;

/** A pad_signal at or above this is mentioned in `quality` (informative, never decisive). */
export const PAD_SIGNAL_NOTICE = 0.5;

/** Where reference templates come from (the registry's portrait, enrolled once). */
export interface FaceReferenceSource {
  /** The subject's face reference, or null when none can be made. */
  referenceOf(subject: Subject, extractor: FaceExtractor): Promise<FaceTemplate | null>;
}

export interface FaceVerifierOptions {
  registries: NationalRegistries;
  references: FaceReferenceSource;
  threshold?: number;
  extractor?: FaceExtractorOptions;
  /** Refuse captures with a quality shortfall (pose, blur, exposure) as poor_quality (default true). */
  enforceQuality?: boolean;
  logger?: Logger;
}

export class FaceVerifier implements BiometricVerifier {
  readonly threshold: number;
  private extractor: Promise<FaceExtractor> | undefined;
  private engineName = 'face-api';

  constructor(private readonly options: FaceVerifierOptions) {
    this.threshold = options.threshold ?? DEFAULT_THRESHOLD;
  }

  /** Loads and warms the models now rather than on the first verification (2–4 s once). */
  async warmUp(): Promise<FaceExtractor> {
    this.extractor ??= FaceExtractor.create(this.options.extractor).then(async (e) => {
      await e.warmUp();
      this.engineName = `face-api ${e.runtime.versions.faceApi} (tfjs ${e.runtime.versions.tfjs} ${e.runtime.backend})`;
      return e;
    });
    try {
      return await this.extractor;
    } catch (e) {
      this.extractor = undefined;
      throw e;
    }
  }

  async verify(subject: Subject, captures: Capture[]): Promise<BiometricCheck[]> {
    const faces = captures.filter((c) => c.kind === 'face');
    if (faces.length === 0) return [];
    const started = performance.now();
    const result = await this.decide(subject, faces);
    this.options.logger?.info(
      {
        check: { kind: result.kind, decision: result.decision, score: result.score, quality: result.quality },
        subjectKind: subject.kind,
        ms: Math.round(performance.now() - started),
      },
      'face verification',
    );
    return [result];
  }

  private async decide(subject: Subject, faces: Capture[]): Promise<BiometricCheck> {
    const extractor = await this.warmUp();
    const base = { kind: 'face', threshold: this.threshold, engine: this.engineName } as const;
    const enforce = this.options.enforceQuality ?? true;
    // 1. the captures: unusable ones are a retake, whatever is on record
    const analysed: FaceCapture[] = [];
    const reasons = new Set<string>();
    for (const capture of faces) {
      try {
        const result = await extractor.analyse(capture.image);
        if (enforce) for (const p of result.problems) if (isFaceProblem(p)) reasons.add(qualityCodeOf(p));
        analysed.push(result);
      } catch (e) {
        if (!isFaceProblem(e)) throw e;
        reasons.add(qualityCodeOf(e));
      }
    }
    if (reasons.size > 0) return { ...base, decision: 'poor_quality', score: null, quality: [...reasons] };
    const notes = analysed.some((a) => a.measurements.padSignal.score >= PAD_SIGNAL_NOTICE) ? ['pad_signal'] : [];
    // 2. the reference
    const registry =
      subject.kind === 'citizen' ? this.options.registries.identity : this.options.registries.immigration;
    const onRecord = (await registry.biometricsOf(subject.registryId)).some((r) => r.kind === 'face');
    const reference = onRecord ? await this.options.references.referenceOf(subject, extractor) : null;
    if (!reference) return { ...base, decision: 'no_reference', score: null, quality: notes };
    // 3. every capture must match (the lowest score decides)
    const score = Math.min(...analysed.map((a) => compareTemplates(a.template, reference).score));
    return {
      ...base,
      decision: score >= this.threshold ? 'match' : 'no_match',
      score: Math.round(score * 1e4) / 1e4,
      quality: notes,
    };
  }
}

/**
 * Sandbox references: the sandbox gives each demo person a labelled sample identity from the
 * shared test data (`SandboxVerifier.identityOf`); the first of that identity's images that passes
 * the capture checks stands for the portrait on record (a registry portrait is a frontal photo).
 * Enrolled once per identity and kept in memory as a template, never as an image.
 */
export class SandboxFaceReferences implements FaceReferenceSource {
  private readonly cache = new Map<string, Promise<FaceTemplate | null>>();
  /** sample file → its template and whether it passes the capture checks (null: no face). */
  private readonly analysed = new Map<string, Promise<{ template: FaceTemplate; passes: boolean } | null>>();

  constructor(private readonly sandbox: Pick<SandboxVerifier, 'identityOf' | 'samplesOf'>) {}

  referenceOf(subject: Subject, extractor: FaceExtractor): Promise<FaceTemplate | null> {
    const label = this.sandbox.identityOf('face', subject.registryId);
    if (label === null) return Promise.resolve(null);
    let pending = this.cache.get(label);
    if (!pending) {
      pending = this.enrol(this.sandbox.samplesOf('face', subject.registryId), extractor);
      pending.catch(() => this.cache.delete(label));
      this.cache.set(label, pending);
    }
    return pending;
  }

  /**
   * The person's sample images that pass the capture checks, the portrait on record first: what
   * tests and the demo should send as genuine captures (a few samples are half-profiles or show
   * two faces, and the real checks refuse them).
   */
  async samplesPassing(registryId: string, extractor: FaceExtractor): Promise<string[]> {
    const files = this.sandbox.samplesOf('face', registryId);
    const results = await Promise.all(files.map((f) => this.analyse(f, extractor)));
    return files.filter((_, i) => results[i]?.passes);
  }

  private async enrol(files: string[], extractor: FaceExtractor): Promise<FaceTemplate | null> {
    let fallback: FaceTemplate | null = null;
    for (const file of files) {
      const result = await this.analyse(file, extractor);
      if (result?.passes) return result.template;
      fallback ??= result?.template ?? null;
    }
    return fallback;
  }

  private analyse(file: string, extractor: FaceExtractor) {
    let pending = this.analysed.get(file);
    if (!pending) {
      pending = (async () => {
        try {
          const capture = await extractor.analyse(await readFile(file));
          return { template: capture.template, passes: capture.problems.length === 0 };
        } catch (e) {
          if (!isFaceProblem(e)) throw e;
          return null;
        }
      })();
      pending.catch(() => this.analysed.delete(file));
      this.analysed.set(file, pending);
    }
    return pending;
  }
}

/**
 * One verifier per kind behind the port: face captures to `face`, finger captures to
 * `fingerprint` (`FingerprintVerifier`, or the sandbox rule), as `createBiometricsService` composes
 * them.
 */
export function verifierByKind(parts: { face: BiometricVerifier; fingerprint: BiometricVerifier }): BiometricVerifier {
  return {
    async verify(subject, captures) {
      const results: BiometricCheck[] = [];
      for (const kind of ['face', 'fingerprint'] as const) {
        const ofKind = captures.filter((c) => c.kind === kind);
        if (ofKind.length === 0) continue;
        results.push(...(await parts[kind].verify(subject, ofKind)).filter((r) => r.kind === kind));
      }
      return results;
    },
  };
}
