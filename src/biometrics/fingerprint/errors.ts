/**
 * Typed errors for malformed fingerprint inputs. A caller maps `code` to its own problem codes
 * (e.g. a 4xx with the reason); parsing never throws anything else for bad bytes.
 */

export type FormatErrorCode =
  | 'TOO_SHORT'
  | 'BAD_MAGIC'
  | 'UNSUPPORTED_VERSION'
  | 'UNSUPPORTED_FORMAT'
  | 'TRUNCATED'
  | 'LENGTH_MISMATCH'
  | 'INVALID_FIELD';

export class FingerprintFormatError extends Error {
  constructor(
    readonly code: FormatErrorCode,
    readonly reason: string,
    /** Byte offset where the problem was found, when it has one. */
    readonly offset?: number,
  ) {
    super(offset === undefined ? reason : `${reason} (at byte ${offset})`);
    this.name = 'FingerprintFormatError';
  }
}

export type ImageErrorCode = 'NOT_TIFF' | 'TRUNCATED' | 'UNSUPPORTED' | 'INVALID_FIELD';

export class ImageFormatError extends Error {
  constructor(
    readonly code: ImageErrorCode,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'ImageFormatError';
  }
}
