/**
 * A small baseline-TIFF reader for what fingerprint scanners write: one uncompressed 8-bit
 * greyscale image (first IFD), in strips, either byte order. Anything else (compression,
 * colour, tiles, other bit depths) is refused with an `ImageFormatError` naming the reason;
 * every offset is checked against the buffer.
 */
import { ImageFormatError } from './errors.ts';
import type { GrayImage } from './model.ts';

const TYPE_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8 };

interface Entry {
  type: number;
  count: number;
  /** Offset of the value bytes (inline or pointed to). */
  at: number;
}

export function decodeTiff(bytes: Uint8Array): GrayImage {
  if (bytes.length < 8) throw new ImageFormatError('NOT_TIFF', 'file is shorter than a TIFF header');
  let little: boolean;
  if (bytes[0] === 0x49 && bytes[1] === 0x49) little = true;
  else if (bytes[0] === 0x4d && bytes[1] === 0x4d) little = false;
  else throw new ImageFormatError('NOT_TIFF', 'no TIFF byte-order mark (II or MM)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => view.getUint16(at, little);
  const u32 = (at: number) => view.getUint32(at, little);
  if (u16(2) !== 42) throw new ImageFormatError('NOT_TIFF', 'TIFF magic number is not 42 (BigTIFF is not supported)');
  const ifd = u32(4);
  if (ifd < 8 || ifd + 2 > bytes.length) throw new ImageFormatError('TRUNCATED', 'first IFD lies outside the file');
  const count = u16(ifd);
  if (ifd + 2 + count * 12 > bytes.length)
    throw new ImageFormatError('TRUNCATED', 'IFD entries run past the end of the file');

  const entries = new Map<number, Entry>();
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + i * 12;
    const tag = u16(e);
    const type = u16(e + 2);
    const n = u32(e + 4);
    const size = TYPE_SIZES[type];
    if (size === undefined) continue; // unknown field type: ignore the entry, as the spec allows
    const total = size * n;
    const at = total <= 4 ? e + 8 : u32(e + 8);
    if (at + total > bytes.length) throw new ImageFormatError('TRUNCATED', `values of tag ${tag} lie outside the file`);
    entries.set(tag, { type, count: n, at });
  }
  const value = (e: Entry, index: number): number => {
    switch (e.type) {
      case 1:
      case 7:
        return bytes[e.at + index]!;
      case 3:
        return u16(e.at + index * 2);
      case 4:
        return u32(e.at + index * 4);
      case 5: {
        const den = u32(e.at + index * 8 + 4);
        return den === 0 ? 0 : u32(e.at + index * 8) / den;
      }
      default:
        throw new ImageFormatError('INVALID_FIELD', `unexpected field type ${e.type}`);
    }
  };
  const scalar = (tag: number, fallback?: number): number => {
    const e = entries.get(tag);
    if (!e || e.count < 1) {
      if (fallback === undefined) throw new ImageFormatError('INVALID_FIELD', `required tag ${tag} is missing`);
      return fallback;
    }
    return value(e, 0);
  };
  const list = (tag: number): number[] => {
    const e = entries.get(tag);
    if (!e || e.count < 1) throw new ImageFormatError('INVALID_FIELD', `required tag ${tag} is missing`);
    const out: number[] = [];
    for (let i = 0; i < e.count; i++) out.push(value(e, i));
    return out;
  };

  const width = scalar(256);
  const height = scalar(257);
  if (width < 1 || height < 1 || width * height > 64 * 1024 * 1024) {
    throw new ImageFormatError('INVALID_FIELD', `image size ${width}x${height} is not plausible`);
  }
  const bitsPerSample = scalar(258, 1);
  const compression = scalar(259, 1);
  const photometric = scalar(262);
  const samplesPerPixel = scalar(277, 1);
  if (entries.has(322) || entries.has(324)) throw new ImageFormatError('UNSUPPORTED', 'tiled TIFF is not supported');
  if (compression !== 1)
    throw new ImageFormatError('UNSUPPORTED', `TIFF compression ${compression} is not supported (only 1, none)`);
  if (samplesPerPixel !== 1 || (photometric !== 0 && photometric !== 1)) {
    throw new ImageFormatError('UNSUPPORTED', 'only greyscale TIFF is supported (one sample, photometric 0 or 1)');
  }
  if (bitsPerSample !== 8)
    throw new ImageFormatError('UNSUPPORTED', `${bitsPerSample}-bit samples are not supported (only 8)`);
  const rowsPerStrip = Math.min(scalar(278, height), height);
  const offsets = list(273);
  const byteCounts = entries.has(279) ? list(279) : [width * height];
  if (rowsPerStrip < 1) throw new ImageFormatError('INVALID_FIELD', 'rows per strip is zero');
  const strips = Math.ceil(height / rowsPerStrip);
  if (offsets.length < strips || byteCounts.length < offsets.length) {
    throw new ImageFormatError(
      'INVALID_FIELD',
      `expected ${strips} strips, found ${offsets.length} offsets and ${byteCounts.length} byte counts`,
    );
  }

  const data = new Uint8Array(width * height);
  let written = 0;
  for (let s = 0; s < strips; s++) {
    const need = Math.min(rowsPerStrip, height - s * rowsPerStrip) * width;
    const start = offsets[s]!;
    if (byteCounts[s]! < need || start + need > bytes.length) {
      throw new ImageFormatError('TRUNCATED', `strip ${s + 1} of ${strips} is shorter than its ${need} pixels`);
    }
    data.set(bytes.subarray(start, start + need), written);
    written += need;
  }
  if (photometric === 0) for (let i = 0; i < data.length; i++) data[i] = 255 - data[i]!;

  let dpi: number | undefined;
  const xres = entries.has(282) ? scalar(282) : 0;
  const unit = scalar(296, 2);
  if (xres > 0 && unit === 2) dpi = xres;
  else if (xres > 0 && unit === 3) dpi = xres * 2.54;
  return dpi === undefined ? { width, height, data } : { width, height, data, dpi };
}
