/**
 * Capture images in pure JavaScript (no native modules): JPEG through `jpeg-js`, PNG through
 * `pngjs`, both checked for truncation before decoding, EXIF orientation applied, alpha
 * composited on white. Everything downstream works on `RgbImage` (8-bit RGB, row-major).
 */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { faceProblem } from './problems.ts';

export interface RgbImage {
  width: number;
  height: number;
  /** width × height × 3 bytes, R G B, rows top to bottom. */
  data: Uint8Array;
}

export interface DecodeOptions {
  /** Refuse larger images (default 40 megapixels: a phone photo is 12–50 MP; say so to the caller). */
  maxMegapixels?: number;
}

export type ImageFormat = 'jpeg' | 'png';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function sniffFormat(bytes: Uint8Array): ImageFormat | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && Buffer.from(bytes.buffer, bytes.byteOffset, 8).equals(PNG_SIGNATURE)) return 'png';
  return null;
}

/** Decodes a JPEG or PNG capture, or throws a face problem saying why it cannot. */
export function decodeImage(input: Uint8Array, options: DecodeOptions = {}): RgbImage {
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const maxMp = options.maxMegapixels ?? 40;
  const format = sniffFormat(bytes);
  if (format === null) {
    throw faceProblem('FACE_NOT_AN_IMAGE', { reason: describeUnknown(bytes) });
  }
  if (format === 'jpeg') {
    const layout = scanJpeg(bytes);
    checkSize(layout.width, layout.height, maxMp);
    let decoded: { width: number; height: number; data: Uint8Array };
    try {
      decoded = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: false,
        tolerantDecoding: false,
        maxResolutionInMP: maxMp,
        maxMemoryUsageInMB: 1024,
      });
    } catch (e) {
      throw faceProblem('FACE_NOT_AN_IMAGE', { reason: `JPEG decoder: ${(e as Error).message}` });
    }
    const rgb = componentsToRgb(decoded);
    return layout.orientation > 1 ? orient(rgb, layout.orientation) : rgb;
  }
  const size = scanPng(bytes);
  checkSize(size.width, size.height, maxMp);
  let png: { width: number; height: number; data: Buffer };
  try {
    png = PNG.sync.read(bytes);
  } catch (e) {
    throw faceProblem('FACE_NOT_AN_IMAGE', { reason: `PNG decoder: ${(e as Error).message}` });
  }
  return rgbaOnWhite(png.width, png.height, png.data);
}

function describeUnknown(bytes: Buffer): string {
  if (bytes.length === 0) return 'the file is empty';
  const head = bytes.subarray(0, 16).toString('latin1');
  if (/^(II\*\0|MM\0\*)/.test(head)) return 'TIFF is accepted for fingerprints only, not for face photos';
  if (/^GIF8/.test(head)) return 'GIF is not accepted';
  if (/^RIFF....WEBP/s.test(head)) return 'WebP is not accepted';
  if (/^....ftyp(heic|heix|mif1|avif)/s.test(head)) return 'HEIC/AVIF is not accepted';
  if (/^%PDF/.test(head)) return 'a PDF is not an image';
  return 'the file starts with neither the JPEG nor the PNG signature';
}

function checkSize(width: number, height: number, maxMp: number): void {
  if (width <= 0 || height <= 0) throw faceProblem('FACE_NOT_AN_IMAGE', { reason: 'the image has no pixels' });
  const mp = (width * height) / 1e6;
  if (mp > maxMp) throw faceProblem('FACE_IMAGE_TOO_LARGE', { megapixels: mp.toFixed(1), limit: maxMp });
}

interface JpegLayout {
  width: number;
  height: number;
  /** EXIF orientation 1–8 (1: as stored). */
  orientation: number;
}

/**
 * Walks the JPEG marker structure to the end-of-image marker: a file that stops before it (a cut
 * upload) is truncated, whatever the decoder would make of the rest. Also reads the frame size
 * and the EXIF orientation.
 */
export function scanJpeg(bytes: Buffer): JpegLayout {
  const truncated = (where: string) => faceProblem('FACE_IMAGE_TRUNCATED', { reason: `JPEG ends ${where}` });
  let width = 0;
  let height = 0;
  let orientation = 1;
  let i = 2;
  for (;;) {
    if (i + 1 >= bytes.length) throw truncated('before its end-of-image marker');
    if (bytes[i] !== 0xff) throw faceProblem('FACE_NOT_AN_IMAGE', { reason: `corrupt JPEG marker at byte ${i}` });
    let marker = bytes[i + 1]!;
    while (marker === 0xff && i + 2 < bytes.length) marker = bytes[++i + 1]!; // fill bytes
    i += 2;
    if (marker === 0xd9) break; // EOI
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue; // no length
    if (i + 2 > bytes.length) throw truncated('inside a segment header');
    const length = bytes.readUInt16BE(i);
    if (length < 2) throw faceProblem('FACE_NOT_AN_IMAGE', { reason: `corrupt JPEG segment at byte ${i}` });
    if (i + length > bytes.length) throw truncated(`inside a segment (byte ${i}, ${length} bytes announced)`);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (length < 7) throw faceProblem('FACE_NOT_AN_IMAGE', { reason: 'corrupt JPEG frame header' });
      height = bytes.readUInt16BE(i + 3);
      width = bytes.readUInt16BE(i + 5);
    } else if (marker === 0xe1 && orientation === 1) {
      orientation = exifOrientation(bytes.subarray(i + 2, i + length));
    }
    i += length;
    if (marker === 0xda) {
      // entropy-coded data runs to the next marker that is not a stuffed 0xFF00 or a restart
      while (i + 1 < bytes.length) {
        if (bytes[i] === 0xff) {
          const next = bytes[i + 1]!;
          if (next !== 0x00 && !(next >= 0xd0 && next <= 0xd7) && next !== 0xff) break;
        }
        i++;
      }
      if (i + 1 >= bytes.length) throw truncated('inside the compressed image data');
    }
  }
  if (width === 0 || height === 0) throw faceProblem('FACE_NOT_AN_IMAGE', { reason: 'JPEG without a frame header' });
  return { width, height, orientation };
}

/** EXIF orientation from an APP1 payload (1 when absent or unreadable). */
function exifOrientation(app1: Buffer): number {
  if (app1.length < 14 || app1.toString('latin1', 0, 6) !== 'Exif\0\0') return 1;
  const tiff = app1.subarray(6);
  const little = tiff.toString('latin1', 0, 2) === 'II';
  if (!little && tiff.toString('latin1', 0, 2) !== 'MM') return 1;
  const u16 = (o: number) => (little ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
  const u32 = (o: number) => (little ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
  const ifd = u32(4);
  if (ifd + 2 > tiff.length) return 1;
  const count = u16(ifd);
  for (let k = 0; k < count; k++) {
    const entry = ifd + 2 + k * 12;
    if (entry + 12 > tiff.length) return 1;
    if (u16(entry) === 0x0112) {
      const value = u16(entry + 8);
      return value >= 1 && value <= 8 ? value : 1;
    }
  }
  return 1;
}

/** Walks the PNG chunks to IEND; a file cut short is truncated. Returns the header size. */
export function scanPng(bytes: Buffer): { width: number; height: number } {
  const truncated = (where: string) => faceProblem('FACE_IMAGE_TRUNCATED', { reason: `PNG ends ${where}` });
  let i = 8;
  let width = 0;
  let height = 0;
  for (;;) {
    if (i + 8 > bytes.length) throw truncated('before its IEND chunk');
    const length = bytes.readUInt32BE(i);
    const type = bytes.toString('latin1', i + 4, i + 8);
    if (!/^[A-Za-z]{4}$/.test(type))
      throw faceProblem('FACE_NOT_AN_IMAGE', { reason: `corrupt PNG chunk at byte ${i}` });
    if (i + 12 + length > bytes.length) throw truncated(`inside its ${type} chunk`);
    if (type === 'IHDR') {
      if (length < 8) throw faceProblem('FACE_NOT_AN_IMAGE', { reason: 'corrupt PNG header' });
      width = bytes.readUInt32BE(i + 8);
      height = bytes.readUInt32BE(i + 12);
    }
    i += 12 + length;
    if (type === 'IEND') break;
  }
  return { width, height };
}

function componentsToRgb(img: { width: number; height: number; data: Uint8Array }): RgbImage {
  const n = img.width * img.height;
  if (img.data.length === n * 3) return { width: img.width, height: img.height, data: img.data };
  const out = new Uint8Array(n * 3);
  if (img.data.length === n) {
    for (let p = 0; p < n; p++) out[p * 3] = out[p * 3 + 1] = out[p * 3 + 2] = img.data[p]!;
  } else if (img.data.length === n * 4) {
    for (let p = 0; p < n; p++) {
      out[p * 3] = img.data[p * 4]!;
      out[p * 3 + 1] = img.data[p * 4 + 1]!;
      out[p * 3 + 2] = img.data[p * 4 + 2]!;
    }
  } else {
    throw faceProblem('FACE_NOT_AN_IMAGE', { reason: 'unexpected JPEG component layout' });
  }
  return { width: img.width, height: img.height, data: out };
}

function rgbaOnWhite(width: number, height: number, rgba: Uint8Array): RgbImage {
  const n = width * height;
  const out = new Uint8Array(n * 3);
  for (let p = 0; p < n; p++) {
    const a = rgba[p * 4 + 3]!;
    for (let c = 0; c < 3; c++) {
      const v = rgba[p * 4 + c]!;
      out[p * 3 + c] = a === 255 ? v : Math.round((v * a + 255 * (255 - a)) / 255);
    }
  }
  return { width, height, data: out };
}

/** Applies an EXIF orientation (2–8) so the image is upright as the camera saw it. */
export function orient(img: RgbImage, orientation: number): RgbImage {
  const swap = orientation >= 5;
  const w = swap ? img.height : img.width;
  const h = swap ? img.width : img.height;
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sx: number;
      let sy: number;
      switch (orientation) {
        case 2:
          [sx, sy] = [img.width - 1 - x, y];
          break;
        case 3:
          [sx, sy] = [img.width - 1 - x, img.height - 1 - y];
          break;
        case 4:
          [sx, sy] = [x, img.height - 1 - y];
          break;
        case 5:
          [sx, sy] = [y, x];
          break;
        case 6:
          [sx, sy] = [y, img.height - 1 - x];
          break;
        case 7:
          [sx, sy] = [img.width - 1 - y, img.height - 1 - x];
          break;
        case 8:
          [sx, sy] = [img.width - 1 - y, x];
          break;
        default:
          [sx, sy] = [x, y];
      }
      const s = (sy * img.width + sx) * 3;
      const d = (y * w + x) * 3;
      out[d] = img.data[s]!;
      out[d + 1] = img.data[s + 1]!;
      out[d + 2] = img.data[s + 2]!;
    }
  }
  return { width: w, height: h, data: out };
}

/**
 * Downscales by area averaging so the longer side is at most `maxSide` (returns the image itself
 * when it is already small enough) and the factor applied.
 */
export function downscale(img: RgbImage, maxSide: number): { image: RgbImage; scale: number } {
  const long = Math.max(img.width, img.height);
  if (long <= maxSide) return { image: img, scale: 1 };
  const scale = maxSide / long;
  return {
    image: resize(img, Math.max(1, Math.round(img.width * scale)), Math.max(1, Math.round(img.height * scale))),
    scale,
  };
}

/** Area-averaging (box) resize for reductions, bilinear for enlargements. */
export function resize(img: RgbImage, width: number, height: number): RgbImage {
  const out = new Uint8Array(width * height * 3);
  const fx = img.width / width;
  const fy = img.height / height;
  if (fx >= 1 && fy >= 1) {
    for (let y = 0; y < height; y++) {
      const y0 = Math.floor(y * fy);
      const y1 = Math.max(y0 + 1, Math.min(img.height, Math.floor((y + 1) * fy)));
      for (let x = 0; x < width; x++) {
        const x0 = Math.floor(x * fx);
        const x1 = Math.max(x0 + 1, Math.min(img.width, Math.floor((x + 1) * fx)));
        let r = 0;
        let g = 0;
        let b = 0;
        for (let yy = y0; yy < y1; yy++) {
          let s = (yy * img.width + x0) * 3;
          for (let xx = x0; xx < x1; xx++, s += 3) {
            r += img.data[s]!;
            g += img.data[s + 1]!;
            b += img.data[s + 2]!;
          }
        }
        const n = (y1 - y0) * (x1 - x0);
        const d = (y * width + x) * 3;
        out[d] = Math.round(r / n);
        out[d + 1] = Math.round(g / n);
        out[d + 2] = Math.round(b / n);
      }
    }
    return { width, height, data: out };
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = (y * width + x) * 3;
      sampleBilinear(img, (x + 0.5) * fx - 0.5, (y + 0.5) * fy - 0.5, out, d, true);
    }
  }
  return { width, height, data: out };
}

/**
 * Bilinear sample at (x, y) written to out[at..at+2]. Outside the image: the nearest edge pixel
 * when `clamp`, black otherwise.
 */
export function sampleBilinear(img: RgbImage, x: number, y: number, out: Uint8Array, at: number, clamp: boolean): void {
  if (!clamp && (x < -0.5 || y < -0.5 || x > img.width - 0.5 || y > img.height - 0.5)) {
    out[at] = out[at + 1] = out[at + 2] = 0;
    return;
  }
  const cx = Math.min(Math.max(x, 0), img.width - 1);
  const cy = Math.min(Math.max(y, 0), img.height - 1);
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const x1 = Math.min(x0 + 1, img.width - 1);
  const y1 = Math.min(y0 + 1, img.height - 1);
  const ax = cx - x0;
  const ay = cy - y0;
  const d = img.data;
  const w = img.width;
  for (let c = 0; c < 3; c++) {
    const top = d[(y0 * w + x0) * 3 + c]! * (1 - ax) + d[(y0 * w + x1) * 3 + c]! * ax;
    const bottom = d[(y1 * w + x0) * 3 + c]! * (1 - ax) + d[(y1 * w + x1) * 3 + c]! * ax;
    out[at + c] = Math.round(top * (1 - ay) + bottom * ay);
  }
}

/**
 * Adds a margin of `fraction` × the longer side on every side, filled by repeating the edge
 * pixels (a tight face crop then looks like a face with some surroundings to a detector trained
 * on whole photos). Returns the padded image and the offset of the original inside it.
 */
export function pad(img: RgbImage, fraction: number): { image: RgbImage; offset: number } {
  const m = Math.round(Math.max(img.width, img.height) * fraction);
  const width = img.width + 2 * m;
  const height = img.height + 2 * m;
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(Math.max(y - m, 0), img.height - 1);
    for (let x = 0; x < width; x++) {
      const sx = Math.min(Math.max(x - m, 0), img.width - 1);
      const s = (sy * img.width + sx) * 3;
      const d = (y * width + x) * 3;
      out[d] = img.data[s]!;
      out[d + 1] = img.data[s + 1]!;
      out[d + 2] = img.data[s + 2]!;
    }
  }
  return { image: { width, height, data: out }, offset: m };
}

/** Luma (ITU-R BT.601) as a float array. */
export function toGrey(img: RgbImage): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(n);
  for (let p = 0; p < n; p++) {
    out[p] = 0.299 * img.data[p * 3]! + 0.587 * img.data[p * 3 + 1]! + 0.114 * img.data[p * 3 + 2]!;
  }
  return out;
}

/** Encodes RGB as PNG (tests and tooling: the service never writes images). */
export function encodePng(img: RgbImage): Buffer {
  const png = new PNG({ width: img.width, height: img.height });
  for (let p = 0; p < img.width * img.height; p++) {
    png.data[p * 4] = img.data[p * 3]!;
    png.data[p * 4 + 1] = img.data[p * 3 + 1]!;
    png.data[p * 4 + 2] = img.data[p * 3 + 2]!;
    png.data[p * 4 + 3] = 255;
  }
  return PNG.sync.write(png);
}
