/**
 * SMS text encoding (3GPP TS 23.038 / 23.040) for SMPP 3.4 submit_sm.
 *
 * A text goes out in the GSM 7-bit default alphabet when every character is in it (data_coding 0,
 * one septet per octet as SMPP carries it, the SMSC packs them) and in UCS-2 otherwise
 * (data_coding 8, UTF-16BE). Vietnamese with its diacritics is never GSM-7, so Vietnamese texts
 * are UCS-2: 70 characters in one SMS, 67 per part of a concatenated one.
 *
 * A long text is split into parts that each carry a concatenation UDH (IEI 0x00, 8-bit reference)
 * and the esm_class UDHI bit, or, for SMSCs that segment themselves, goes whole in the
 * `message_payload` TLV. Splitting never cuts a GSM escape sequence or a UTF-16 surrogate pair.
 */

export type SmsEncoding = 'gsm7' | 'ucs2';

/** data_coding values (SMPP 3.4, 5.2.19). */
export const DATA_CODING = { gsm7: 0x00, ucs2: 0x08 } as const;

/** esm_class bit saying short_message starts with a user data header. */
export const ESM_CLASS_UDHI = 0x40;

// GSM 03.38 default alphabet, indexed by septet value. 0x1B is the escape to the extension table.
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION: Record<string, number> = {
  '\f': 0x0a,
  '^': 0x14,
  '{': 0x28,
  '}': 0x29,
  '\\': 0x2f,
  '[': 0x3c,
  '~': 0x3d,
  ']': 0x3e,
  '|': 0x40,
  '€': 0x65,
};
const ESC = 0x1b;

const basicIndex = new Map<string, number>();
for (let i = 0; i < GSM_BASIC.length; i++) {
  const ch = GSM_BASIC[i]!;
  if (i !== ESC) basicIndex.set(ch, i);
}

/** Septets of one character in GSM-7, or undefined when the alphabet lacks it. */
function gsmSeptets(ch: string): number[] | undefined {
  const basic = basicIndex.get(ch);
  if (basic !== undefined) return [basic];
  const ext = GSM_EXTENSION[ch];
  if (ext !== undefined) return [ESC, ext];
  return undefined;
}

export function isGsm7(text: string): boolean {
  for (const ch of text) if (gsmSeptets(ch) === undefined) return false;
  return true;
}

/** Capacity of one SMS and of one part of a concatenated SMS, in septets (GSM-7) or UTF-16 code units (UCS-2). */
export const CAPACITY = {
  gsm7: { single: 160, part: 153 },
  ucs2: { single: 70, part: 67 },
} as const;

export interface EncodedSms {
  encoding: SmsEncoding;
  dataCoding: number;
  /** The whole text encoded (for message_payload). */
  payload: Buffer;
  /** The text split into SMS-sized pieces, without headers; one piece when it fits one SMS. */
  parts: Buffer[];
}

/** Encodes a text and splits it into parts; `maxParts` bounds how long a text may be. */
export function encodeSms(text: string, options: { maxParts?: number } = {}): EncodedSms {
  const normalized = text.normalize('NFC');
  const maxParts = options.maxParts ?? 10;
  const encoding: SmsEncoding = isGsm7(normalized) ? 'gsm7' : 'ucs2';
  // Units: the encoded bytes of each character (GSM: 1 or 2 septet octets; UCS-2: 2 or 4 bytes).
  const units: Buffer[] = [];
  for (const ch of normalized) {
    units.push(encoding === 'gsm7' ? Buffer.from(gsmSeptets(ch)!) : utf16be(ch));
  }
  const payload = Buffer.concat(units);
  const cap = CAPACITY[encoding];
  const unitSize = encoding === 'gsm7' ? 1 : 2; // septets per byte, code units per 2 bytes
  const length = payload.length / unitSize;
  let parts: Buffer[];
  if (length <= cap.single) {
    parts = [payload];
  } else {
    parts = [];
    let current: Buffer[] = [];
    let used = 0;
    for (const unit of units) {
      const size = unit.length / unitSize;
      if (used + size > cap.part) {
        parts.push(Buffer.concat(current));
        current = [];
        used = 0;
      }
      current.push(unit);
      used += size;
    }
    if (current.length > 0) parts.push(Buffer.concat(current));
  }
  if (parts.length > maxParts) {
    throw new RangeError(`SMS text needs ${parts.length} parts, more than the ${maxParts} allowed`);
  }
  return { encoding, dataCoding: DATA_CODING[encoding], payload, parts };
}

function utf16be(ch: string): Buffer {
  const le = Buffer.from(ch, 'utf16le');
  const be = Buffer.alloc(le.length);
  for (let i = 0; i < le.length; i += 2) {
    be[i] = le[i + 1]!;
    be[i + 1] = le[i]!;
  }
  return be;
}

/** The concatenation user data header (TS 23.040 9.2.3.24.1) for part `seq` (1-based) of `total`. */
export function concatUdh(reference: number, total: number, seq: number): Buffer {
  if (total < 1 || total > 255 || seq < 1 || seq > total) throw new RangeError('bad concatenation part');
  return Buffer.from([0x05, 0x00, 0x03, reference & 0xff, total, seq]);
}

/** A stable 8-bit concatenation reference for a message id (the same on every resend). */
export function concatReference(messageId: string): number {
  let h = 0;
  for (let i = 0; i < messageId.length; i++) h = (h * 31 + messageId.charCodeAt(i)) >>> 0;
  return h & 0xff;
}
