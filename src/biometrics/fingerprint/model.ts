/**
 * Fingerprint template model shared by the ISO/IEC 19794-2 reader, the image extractor and the
 * matcher. Coordinates and angles follow ISO/IEC 19794-2:2005: origin at the top-left pixel, x to
 * the right, y downwards; the angle is measured counter-clockwise from the x axis as the image is
 * seen (so a minutia pointing "up" on screen has angle π/2).
 */

export type MinutiaType = 'ending' | 'bifurcation' | 'other';

export interface Minutia {
  /** Pixels from the left edge. */
  x: number;
  /** Pixels from the top edge. */
  y: number;
  /** Radians in [0, 2π), counter-clockwise as seen on the image (ISO convention). */
  angle: number;
  type: MinutiaType;
  /** 0–100; 0 means "not reported" in ISO/IEC 19794-2:2005. */
  quality: number;
}

/** One finger's minutiae with the geometry needed to interpret them. */
export interface FingerprintTemplate {
  width: number;
  height: number;
  /** Pixels per centimetre, as in ISO/IEC 19794-2 (197 ≈ 500 dpi). */
  resolutionX: number;
  resolutionY: number;
  minutiae: Minutia[];
  /** Finger (view) quality 0–100, 0 when unknown. */
  quality: number;
}

export const TWO_PI = 2 * Math.PI;

/** Wraps an angle into [0, 2π). */
export function normalizeAngle(a: number): number {
  const r = a % TWO_PI;
  return r < 0 ? r + TWO_PI : r;
}

export function dpiToPixelsPerCm(dpi: number): number {
  return Math.round(dpi / 2.54);
}

export function pixelsPerCmToDpi(ppcm: number): number {
  return ppcm * 2.54;
}

/** An 8-bit greyscale image, row-major, 0 = black. */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
  /** Resolution when the file states it (dots per inch), else undefined. */
  dpi?: number;
}
