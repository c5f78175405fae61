import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { biometricsDataDir } from '../biometrics/evaluation/samples.ts';
import type { NationalRegistries } from '../registries/ports.ts';
import type { BiometricCheck } from './model.ts';
import type { BiometricVerifier, Capture } from './ports.ts';

/**
 * Sandbox verifier: stands in for the biometric matchers until the biometrics context plugs them
 * in. It reads the sandbox's reference records (does the registry hold a portrait, fingerprints?)
 * and gives each sandbox person a labelled sample identity from the shared test data
 * (`../shared/data/biometrics`, MANIFEST.md): a face folder and an FVC finger, chosen from the
 * registry id. A capture matches when it is one of that identity's sample images (found by its
 * sha256), so tests and the demo use real images with known labels, and a wrong person's photo is
 * refused. Without the shared data it accepts any image that looks like one and says so.
 */

const FACE_EXT = /\.(jpe?g|png)$/i;
const FINGER_SET = 'fvc2002-db2-b';

interface SampleIndex {
  /** sha256 → identity label ('face:lfw-tony-blair' or 'finger:fvc2002-db2-b/101'). */
  labelOf: Map<string, string>;
  faces: string[];
  fingers: string[];
  /** label → sample files. */
  files: Map<string, string[]>;
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function listDir(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

function buildIndex(root: string): SampleIndex | null {
  const faceRoot = path.join(root, 'faces');
  const fingerRoot = path.join(root, 'fingerprints', FINGER_SET);
  if (!existsSync(faceRoot)) return null;
  const index: SampleIndex = { labelOf: new Map(), faces: [], fingers: [], files: new Map() };
  const add = (label: string, file: string) => {
    index.labelOf.set(sha256(readFileSync(file)), label);
    index.files.set(label, [...(index.files.get(label) ?? []), file]);
  };
  for (const identity of listDir(faceRoot)) {
    const dir = path.join(faceRoot, identity);
    if (!statSync(dir).isDirectory()) continue;
    const images = listDir(dir).filter((f) => FACE_EXT.test(f));
    if (images.length < 2) continue;
    index.faces.push(`face:${identity}`);
    for (const image of images) add(`face:${identity}`, path.join(dir, image));
  }
  for (const file of listDir(fingerRoot).filter((f) => f.endsWith('.tif'))) {
    const finger = file.split('_')[0]!;
    const label = `finger:${FINGER_SET}/${finger}`;
    if (!index.fingers.includes(label)) index.fingers.push(label);
    add(label, path.join(fingerRoot, file));
  }
  return index;
}

/** A stable pick from a list by registry id (the same person always gets the same identity). */
function pick(list: string[], registryId: string, salt: string): string {
  const digest = createHash('sha256').update(`${salt}:${registryId}`).digest();
  return list[digest.readUInt32BE(0) % list.length]!;
}

/** Whether the bytes start like an image a capture device produces. */
function looksLikeImage(data: Buffer): boolean {
  if (data.length < 16) return false;
  const jpeg = data[0] === 0xff && data[1] === 0xd8;
  const png = data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const tiff = data.subarray(0, 4).equals(Buffer.from('II*\0')) || data.subarray(0, 4).equals(Buffer.from('MM\0*'));
  return jpeg || png || tiff;
}

export class SandboxVerifier implements BiometricVerifier {
  private index: SampleIndex | null | undefined;

  constructor(
    private readonly registries: NationalRegistries,
    private readonly dataDir: string = biometricsDataDir(),
  ) {}

  private samples(): SampleIndex | null {
    if (this.index === undefined) this.index = buildIndex(this.dataDir);
    return this.index;
  }

  /** The sample identity the sandbox gives a person for a kind (null without the shared data). */
  identityOf(kind: 'face' | 'fingerprint', registryId: string): string | null {
    const index = this.samples();
    if (!index) return null;
    const list = kind === 'face' ? index.faces : index.fingers;
    return list.length > 0 ? pick(list, registryId, kind) : null;
  }

  /** Sample files of the person's identity (tests and the demo use them as captures). */
  samplesOf(kind: 'face' | 'fingerprint', registryId: string): string[] {
    const label = this.identityOf(kind, registryId);
    return label ? (this.samples()?.files.get(label) ?? []) : [];
  }

  /** Sample files of someone else (an impostor's capture). */
  impostorSamples(kind: 'face' | 'fingerprint', registryId: string): string[] {
    const own = this.identityOf(kind, registryId);
    const index = this.samples();
    const other = index && (kind === 'face' ? index.faces : index.fingers).find((l) => l !== own);
    return other ? (index.files.get(other) ?? []) : [];
  }

  async verify(subject: { kind: 'citizen' | 'foreigner'; registryId: string }, captures: Capture[]) {
    const registry = subject.kind === 'citizen' ? this.registries.identity : this.registries.immigration;
    const onRecord = new Set((await registry.biometricsOf(subject.registryId)).map((r) => r.kind));
    const results: BiometricCheck[] = [];
    for (const kind of ['face', 'fingerprint'] as const) {
      const ofKind = captures.filter((c) => c.kind === kind);
      if (ofKind.length === 0) continue;
      results.push(this.decide(kind, subject.registryId, ofKind, onRecord.has(kind)));
    }
    return results;
  }

  private decide(
    kind: 'face' | 'fingerprint',
    registryId: string,
    captures: Capture[],
    onRecord: boolean,
  ): BiometricCheck {
    const base = { kind, threshold: 0.5, engine: 'sandbox' } as const;
    const unreadable = captures.filter((c) => !looksLikeImage(c.image));
    if (unreadable.length > 0) {
      return { ...base, decision: 'poor_quality', score: null, quality: ['not_an_image'] };
    }
    if (!onRecord) return { ...base, decision: 'no_reference', score: null, quality: [] };
    const expected = this.identityOf(kind, registryId);
    if (expected === null) {
      // No shared samples beside the repository: a sandbox without labelled data accepts the capture.
      return {
        ...base,
        decision: 'match',
        score: null,
        quality: ['sandbox_without_samples'],
        engine: 'sandbox-permissive',
      };
    }
    const labels = captures.map((c) => this.samples()!.labelOf.get(sha256(c.image)));
    const matched = labels.filter((l) => l === expected).length;
    const score = matched / captures.length;
    return { ...base, decision: score >= base.threshold ? 'match' : 'no_match', score, quality: [] };
  }
}
