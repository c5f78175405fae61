/**
 * ISO/IEC 19794-2:2005 finger minutiae records ("FMR\0", version " 20\0"): a strict reader and a
 * writer. Layout (big-endian):
 *
 *   record header, 24 bytes
 *     0  format identifier 'F' 'M' 'R' 0
 *     4  version ' ' '2' '0' 0
 *     8  record length, 4 bytes (the whole record, header included)
 *    12  capture equipment: compliance (4 bits) + equipment id (12 bits)
 *    14  image width, 16 height (pixels)
 *    18  x resolution, 20 y resolution (pixels per centimetre)
 *    22  number of finger views, 23 reserved (0)
 *   per finger view
 *     finger position (1), view number (4 bits) + impression type (4 bits), finger quality (1),
 *     number of minutiae (1), then 6 bytes per minutia:
 *       type (2 bits: 00 other, 01 ridge ending, 10 bifurcation) + x (14 bits),
 *       reserved (2 bits) + y (14 bits), angle (1 byte, units of 360/256°), quality (1 byte, 0–100)
 *     extended data block length (2), then that many bytes of extended data
 *
 * Every read is bounds-checked; a malformed record gives a `FingerprintFormatError` with a code
 * and a reason, never an out-of-range read. Bytes after the record length (zero padding in some
 * files) are ignored and counted in `trailingBytes`.
 */
import { FingerprintFormatError } from './errors.ts';
import { TWO_PI, normalizeAngle, type FingerprintTemplate, type Minutia, type MinutiaType } from './model.ts';

export interface IsoFingerView {
  /** 0 unknown, 1–10 right thumb … left little finger. */
  fingerPosition: number;
  viewNumber: number;
  /** 0 live-scan plain, 1 live-scan rolled, 2 non-live plain, 3 non-live rolled, 8 swipe. */
  impressionType: number;
  /** 0–100. */
  quality: number;
  minutiae: Minutia[];
  /** The extended data block (ridge counts, cores and deltas, vendor data), kept as bytes. */
  extendedData: Uint8Array;
}

export interface IsoFingerMinutiaeRecord {
  /** 4-bit certification flags. */
  equipmentCompliance: number;
  /** 12-bit capture device type id (0 = unreported). */
  equipmentId: number;
  width: number;
  height: number;
  /** Pixels per centimetre. */
  resolutionX: number;
  resolutionY: number;
  views: IsoFingerView[];
}

export interface ParsedIsoRecord extends IsoFingerMinutiaeRecord {
  /** Bytes in the buffer after the declared record length (ignored). */
  trailingBytes: number;
  /** Non-fatal findings of a lenient parse (empty in strict mode). */
  warnings: string[];
}

export interface ParseOptions {
  /**
   * Accept an extended data block that runs past the end of the record: keep the minutiae, drop
   * the extended data and add a warning. Off by default (strict).
   */
  tolerateTruncatedExtendedData?: boolean;
}

const HEADER_LENGTH = 24;
const VIEW_HEADER_LENGTH = 4;
const MINUTIA_LENGTH = 6;
const MAX_COORDINATE = 0x3fff;
const ANGLE_UNIT = TWO_PI / 256;
const IMPRESSION_TYPES = new Set([0, 1, 2, 3, 8]);

const TYPE_CODES: Record<number, MinutiaType | undefined> = { 0: 'other', 1: 'ending', 2: 'bifurcation' };

function fail(code: ConstructorParameters<typeof FingerprintFormatError>[0], reason: string, offset?: number): never {
  throw new FingerprintFormatError(code, reason, offset);
}

/** Parses one ISO/IEC 19794-2:2005 finger minutiae record. Throws `FingerprintFormatError`. */
export function parseIso19794_2(bytes: Uint8Array, options: ParseOptions = {}): ParsedIsoRecord {
  if (!(bytes instanceof Uint8Array)) fail('INVALID_FIELD', 'input is not a byte array');
  if (bytes.length < 8) fail('TOO_SHORT', `${bytes.length} bytes is shorter than the format identifier and version`);
  if (bytes[0] !== 0x46 || bytes[1] !== 0x4d || bytes[2] !== 0x52 || bytes[3] !== 0) {
    fail('BAD_MAGIC', "format identifier is not 'FMR\\0'", 0);
  }
  const version = String.fromCharCode(bytes[4]!, bytes[5]!, bytes[6]!);
  if (version !== ' 20' || bytes[7] !== 0) {
    const shown = JSON.stringify(version + (bytes[7] === 0 ? '' : String.fromCharCode(bytes[7]!)));
    const hint = version === '030' ? ' (version 030 is the ISO/IEC 19794-2:2011 / INCITS 378-2009 layout)' : '';
    fail('UNSUPPORTED_VERSION', `version ${shown} is not ISO/IEC 19794-2:2005 (" 20")${hint}`, 4);
  }
  if (bytes.length < HEADER_LENGTH)
    fail('TRUNCATED', `${bytes.length} bytes is shorter than the 24-byte record header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const recordLength = view.getUint32(8);
  if (recordLength > bytes.length) {
    // ANSI/INCITS 378-2004 shares the identifier and version but has a 2-byte length and a
    // 26-byte header: say so rather than only "truncated".
    const ansiLength = view.getUint16(8);
    if (
      ansiLength === bytes.length ||
      (ansiLength === 0 && bytes.length >= 14 && view.getUint32(10) === bytes.length)
    ) {
      fail(
        'UNSUPPORTED_FORMAT',
        'this is an ANSI/INCITS 378-2004 record (2-byte record length), not ISO/IEC 19794-2:2005',
        8,
      );
    }
    fail('TRUNCATED', `record length ${recordLength} exceeds the ${bytes.length} bytes available`, 8);
  }
  if (recordLength < HEADER_LENGTH + VIEW_HEADER_LENGTH + 2) {
    fail('LENGTH_MISMATCH', `record length ${recordLength} is too small for a header and one finger view`, 8);
  }
  const equipment = view.getUint16(12);
  const width = view.getUint16(14);
  const height = view.getUint16(16);
  const resolutionX = view.getUint16(18);
  const resolutionY = view.getUint16(20);
  const viewCount = bytes[22]!;
  if (resolutionX === 0 || resolutionY === 0) fail('INVALID_FIELD', 'resolution is zero', 18);
  if (viewCount === 0) fail('INVALID_FIELD', 'the record has no finger view', 22);
  if (bytes[23] !== 0) fail('INVALID_FIELD', 'reserved header byte is not zero', 23);

  const warnings: string[] = [];
  const views: IsoFingerView[] = [];
  let offset = HEADER_LENGTH;
  for (let v = 0; v < viewCount; v++) {
    if (offset + VIEW_HEADER_LENGTH > recordLength) {
      fail('TRUNCATED', `finger view ${v + 1} of ${viewCount} starts past the end of the record`, offset);
    }
    const fingerPosition = bytes[offset]!;
    const viewByte = bytes[offset + 1]!;
    const quality = bytes[offset + 2]!;
    const count = bytes[offset + 3]!;
    if (fingerPosition > 10) fail('INVALID_FIELD', `finger position ${fingerPosition} is not 0–10`, offset);
    const impressionType = viewByte & 0x0f;
    if (!IMPRESSION_TYPES.has(impressionType)) {
      fail('INVALID_FIELD', `impression type ${impressionType} is not 0–3 or 8`, offset + 1);
    }
    if (quality > 100) fail('INVALID_FIELD', `finger quality ${quality} is above 100`, offset + 2);
    offset += VIEW_HEADER_LENGTH;
    const minutiaeEnd = offset + count * MINUTIA_LENGTH;
    if (minutiaeEnd + 2 > recordLength) {
      fail(
        'TRUNCATED',
        `finger view ${v + 1} declares ${count} minutiae (${count * MINUTIA_LENGTH} bytes) but the record ends at byte ${recordLength}`,
        offset - 1,
      );
    }
    const minutiae: Minutia[] = [];
    for (let i = 0; i < count; i++, offset += MINUTIA_LENGTH) {
      const xWord = view.getUint16(offset);
      const yWord = view.getUint16(offset + 2);
      const typeCode = xWord >> 14;
      const type = TYPE_CODES[typeCode];
      if (type === undefined)
        fail('INVALID_FIELD', `minutia ${i + 1} of view ${v + 1} has reserved type code 3`, offset);
      if (yWord >> 14 !== 0)
        fail('INVALID_FIELD', `minutia ${i + 1} of view ${v + 1} has non-zero reserved bits`, offset + 2);
      const x = xWord & MAX_COORDINATE;
      const y = yWord & MAX_COORDINATE;
      if ((width > 0 && x >= width) || (height > 0 && y >= height)) {
        fail(
          'INVALID_FIELD',
          `minutia ${i + 1} of view ${v + 1} at (${x}, ${y}) lies outside the ${width}x${height} image`,
          offset,
        );
      }
      const mq = bytes[offset + 5]!;
      if (mq > 100) fail('INVALID_FIELD', `minutia ${i + 1} of view ${v + 1} has quality ${mq} above 100`, offset + 5);
      minutiae.push({ x, y, angle: bytes[offset + 4]! * ANGLE_UNIT, type, quality: mq });
    }
    const extendedLength = view.getUint16(offset);
    offset += 2;
    let extendedData: Uint8Array;
    if (offset + extendedLength > recordLength) {
      if (!options.tolerateTruncatedExtendedData) {
        fail(
          'TRUNCATED',
          `extended data of view ${v + 1} declares ${extendedLength} bytes but only ${recordLength - offset} remain in the record`,
          offset - 2,
        );
      }
      warnings.push(
        `view ${v + 1}: extended data declares ${extendedLength} bytes, ${recordLength - offset} remain; dropped`,
      );
      extendedData = new Uint8Array(0);
      offset = recordLength;
    } else {
      extendedData = bytes.slice(offset, offset + extendedLength);
      offset += extendedLength;
    }
    views.push({ fingerPosition, viewNumber: viewByte >> 4, impressionType, quality, minutiae, extendedData });
  }
  if (offset !== recordLength) {
    fail(
      'LENGTH_MISMATCH',
      `the finger views end at byte ${offset} but the record length says ${recordLength}`,
      offset,
    );
  }
  return {
    equipmentCompliance: equipment >> 12,
    equipmentId: equipment & 0x0fff,
    width,
    height,
    resolutionX,
    resolutionY,
    views,
    trailingBytes: bytes.length - recordLength,
    warnings,
  };
}

/** The template of one finger view (default: the first). */
export function templateFromRecord(record: IsoFingerMinutiaeRecord, viewIndex = 0): FingerprintTemplate {
  const view = record.views[viewIndex];
  if (!view) throw new RangeError(`the record has no view ${viewIndex}`);
  return {
    width: record.width,
    height: record.height,
    resolutionX: record.resolutionX,
    resolutionY: record.resolutionY,
    minutiae: view.minutiae.map((m) => ({ ...m })),
    quality: view.quality,
  };
}

/** Reads a single-view record straight into a template. */
export function parseIsoTemplate(bytes: Uint8Array, options: ParseOptions = {}): FingerprintTemplate {
  return templateFromRecord(parseIso19794_2(bytes, options));
}

const TYPE_BITS: Record<MinutiaType, number> = { other: 0, ending: 1, bifurcation: 2 };

function checkRange(name: string, value: number, max: number): number {
  if (!Number.isFinite(value) || value < 0 || value > max) {
    throw new RangeError(`${name} ${value} does not fit its field (0–${max})`);
  }
  return value;
}

/**
 * Writes an ISO/IEC 19794-2:2005 record. Coordinates are rounded to whole pixels, angles to
 * 360/256° units, qualities to integers; values that do not fit their field raise a RangeError
 * (coordinates outside the image included), so a written record always parses back.
 */
export function encodeIso19794_2(record: IsoFingerMinutiaeRecord): Uint8Array {
  if (record.views.length === 0 || record.views.length > 255) throw new RangeError('a record holds 1–255 finger views');
  let length = HEADER_LENGTH;
  for (const v of record.views) {
    if (v.minutiae.length > 255)
      throw new RangeError(`a finger view holds at most 255 minutiae, not ${v.minutiae.length}`);
    checkRange('extended data length', v.extendedData.length, 0xffff);
    length += VIEW_HEADER_LENGTH + v.minutiae.length * MINUTIA_LENGTH + 2 + v.extendedData.length;
  }
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  out.set([0x46, 0x4d, 0x52, 0, 0x20, 0x32, 0x30, 0], 0);
  view.setUint32(8, length);
  view.setUint16(
    12,
    (checkRange('equipment compliance', record.equipmentCompliance, 15) << 12) |
      checkRange('equipment id', record.equipmentId, 0xfff),
  );
  view.setUint16(14, checkRange('width', record.width, 0xffff));
  view.setUint16(16, checkRange('height', record.height, 0xffff));
  view.setUint16(18, checkRange('x resolution', record.resolutionX, 0xffff));
  view.setUint16(20, checkRange('y resolution', record.resolutionY, 0xffff));
  if (record.resolutionX === 0 || record.resolutionY === 0) throw new RangeError('resolution must not be zero');
  out[22] = record.views.length;
  let offset = HEADER_LENGTH;
  for (const v of record.views) {
    out[offset] = checkRange('finger position', v.fingerPosition, 10);
    if (!IMPRESSION_TYPES.has(v.impressionType))
      throw new RangeError(`impression type ${v.impressionType} is not 0–3 or 8`);
    out[offset + 1] = (checkRange('view number', v.viewNumber, 15) << 4) | v.impressionType;
    out[offset + 2] = Math.round(checkRange('finger quality', v.quality, 100));
    out[offset + 3] = v.minutiae.length;
    offset += VIEW_HEADER_LENGTH;
    for (const m of v.minutiae) {
      const x = Math.round(m.x);
      const y = Math.round(m.y);
      checkRange('minutia x', x, record.width > 0 ? record.width - 1 : MAX_COORDINATE);
      checkRange('minutia y', y, record.height > 0 ? record.height - 1 : MAX_COORDINATE);
      view.setUint16(offset, (TYPE_BITS[m.type] << 14) | x);
      view.setUint16(offset + 2, y);
      out[offset + 4] = Math.round(normalizeAngle(m.angle) / ANGLE_UNIT) & 0xff;
      out[offset + 5] = Math.round(checkRange('minutia quality', m.quality, 100));
      offset += MINUTIA_LENGTH;
    }
    view.setUint16(offset, v.extendedData.length);
    offset += 2;
    out.set(v.extendedData, offset);
    offset += v.extendedData.length;
  }
  return out;
}

/** Writes one template as a single-view record. */
export function encodeIsoTemplate(
  template: FingerprintTemplate,
  view: { fingerPosition?: number; impressionType?: number } = {},
): Uint8Array {
  return encodeIso19794_2({
    equipmentCompliance: 0,
    equipmentId: 0,
    width: template.width,
    height: template.height,
    resolutionX: template.resolutionX,
    resolutionY: template.resolutionY,
    views: [
      {
        fingerPosition: view.fingerPosition ?? 0,
        viewNumber: 0,
        impressionType: view.impressionType ?? 0,
        quality: template.quality,
        minutiae: template.minutiae,
        extendedData: new Uint8Array(0),
      },
    ],
  });
}
