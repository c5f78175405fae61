/**
 * A face template: the 128-number descriptor of face-api's recognition network (a port of dlib's
 * ResNet face descriptor). The numbers live in a private field: they never appear in JSON, in
 * `util.inspect`/console output or in a log line (pino serialises with JSON), and the only ways
 * to use them are `compareTemplates` here and the extractor that makes them. The reference store
 * (`../references.ts`) persists them sealed (AES-GCM) through the one explicit pair `sealableBytes` /
 * `fromSealableBytes`; nothing else turns a template into bytes.
 */
import { inspect } from 'node:util';

export const DESCRIPTOR_LENGTH = 128;

const REDACTED = '[face template]';

/** 'FT01': the header of a serialised face template (format and version), then 128 float32 LE. */
const BYTES_MAGIC = Buffer.from('FT01', 'latin1');
export const TEMPLATE_BYTES = BYTES_MAGIC.length + DESCRIPTOR_LENGTH * 4;

export class FaceTemplate {
  readonly #descriptor: Float32Array;

  private constructor(descriptor: Float32Array) {
    this.#descriptor = descriptor;
  }

  /** For the extractor in this folder. */
  static fromDescriptor(descriptor: Float32Array): FaceTemplate {
    if (descriptor.length !== DESCRIPTOR_LENGTH) {
      throw new RangeError(`a face descriptor has ${DESCRIPTOR_LENGTH} numbers, got ${descriptor.length}`);
    }
    for (const v of descriptor) if (!Number.isFinite(v)) throw new RangeError('face descriptor is not finite');
    return new FaceTemplate(Float32Array.from(descriptor));
  }

  /**
   * The template as bytes, for the reference store only, which seals them before they are
   * written ('FT01' + 128 little-endian float32). Nothing else may call this: the bytes are the
   * biometric template.
   */
  sealableBytes(): Buffer {
    const out = Buffer.alloc(TEMPLATE_BYTES);
    BYTES_MAGIC.copy(out, 0);
    for (let i = 0; i < DESCRIPTOR_LENGTH; i++) out.writeFloatLE(this.#descriptor[i]!, BYTES_MAGIC.length + i * 4);
    return out;
  }

  /** The reverse of `sealableBytes` (the reference store, after opening the sealed value). */
  static fromSealableBytes(bytes: Uint8Array): FaceTemplate {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (buffer.length !== TEMPLATE_BYTES || !buffer.subarray(0, BYTES_MAGIC.length).equals(BYTES_MAGIC)) {
      throw new RangeError('not a serialised face template');
    }
    const descriptor = new Float32Array(DESCRIPTOR_LENGTH);
    for (let i = 0; i < DESCRIPTOR_LENGTH; i++) descriptor[i] = buffer.readFloatLE(BYTES_MAGIC.length + i * 4);
    return FaceTemplate.fromDescriptor(descriptor);
  }

  /** Euclidean distance to another template (0 = identical; same person typically < 0.5). */
  distanceTo(other: FaceTemplate): number {
    const a = this.#descriptor;
    const b = other.#descriptor;
    let sum = 0;
    for (let i = 0; i < DESCRIPTOR_LENGTH; i++) {
      const d = a[i]! - b[i]!;
      sum += d * d;
    }
    return Math.sqrt(sum);
  }

  /** Element-wise mean of several templates of one person (a reference from several photos). */
  static mean(templates: readonly FaceTemplate[]): FaceTemplate {
    if (templates.length === 0) throw new RangeError('no templates to average');
    const sum = new Float32Array(DESCRIPTOR_LENGTH);
    for (const t of templates) for (let i = 0; i < DESCRIPTOR_LENGTH; i++) sum[i]! += t.#descriptor[i]!;
    for (let i = 0; i < DESCRIPTOR_LENGTH; i++) sum[i]! /= templates.length;
    return new FaceTemplate(sum);
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }

  /**
   * Whether `text` carries this template: at least 8 of its 128 numbers as they print (first five
   * decimals), or its bytes in hex or base64 (raw, or as `sealableBytes` writes them). For the
   * tests that grep results, logs and stored rows; it reveals nothing itself.
   */
  occursIn(text: string): boolean {
    let found = 0;
    for (const v of this.#descriptor) {
      const printed = String(Math.abs(v));
      const fraction = /^\d+\.(\d{5})/.exec(printed)?.[1];
      if (Math.abs(v) >= 1e-3 && fraction && text.includes(`.${fraction}`)) found++;
    }
    const bytes = Buffer.from(this.#descriptor.buffer, this.#descriptor.byteOffset, this.#descriptor.byteLength);
    const serialised = this.sealableBytes();
    return (
      found >= 8 ||
      text.toLowerCase().includes(bytes.subarray(0, 8).toString('hex')) ||
      text.includes(bytes.toString('base64').slice(0, 16)) ||
      text.toLowerCase().includes(serialised.subarray(4, 12).toString('hex')) ||
      text.includes(serialised.toString('base64').slice(8, 24)) ||
      text.includes(serialised.toString('base64url').slice(8, 24))
    );
  }
}

/**
 * Distance to score: score = 1 − distance / SCORE_SCALE, clamped to [0, 1], so 1 is identical and
 * higher is more alike, like the fingerprint score. With SCORE_SCALE 1.2 the usual dlib/face-api
 * cut-off of distance 0.6 is score 0.5.
 */
export const SCORE_SCALE = 1.2;

export function scoreFromDistance(distance: number): number {
  return Math.min(1, Math.max(0, 1 - distance / SCORE_SCALE));
}

export function distanceFromScore(score: number): number {
  return (1 - score) * SCORE_SCALE;
}

export interface FaceComparison {
  distance: number;
  /** In [0, 1], higher = more alike. */
  score: number;
}

export function compareTemplates(a: FaceTemplate, b: FaceTemplate): FaceComparison {
  const distance = a.distanceTo(b);
  return { distance, score: scoreFromDistance(distance) };
}
