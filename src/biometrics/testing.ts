/**
 * Test support for the biometrics context (not a test file): a minimal greyscale TIFF writer for
 * made-up finger images, and a search for template bytes in text (logs, results, stored rows).
 */

/** One uncompressed 8-bit greyscale strip, little-endian, 500 dpi unless told. */
export function grayTiff(width: number, height: number, pixels: Uint8Array, dpi?: number): Buffer {
  if (pixels.length !== width * height) throw new RangeError('pixel count does not match the size');
  const tags: [tag: number, type: 3 | 4 | 5, value: number][] = [
    [256, 4, width],
    [257, 4, height],
    [258, 3, 8],
    [259, 3, 1],
    [262, 3, 1],
    [273, 4, 0], // strip offset, filled in below
    [277, 3, 1],
    [278, 4, height],
    [279, 4, width * height],
  ];
  if (dpi !== undefined) tags.push([282, 5, dpi], [283, 5, dpi], [296, 3, 2]);
  const ifdSize = 2 + tags.length * 12 + 4;
  const rationals = 8 + ifdSize;
  const pixelStart = rationals + 16;
  const out = Buffer.alloc(pixelStart + pixels.length);
  out.write('II', 0, 'latin1');
  out.writeUInt16LE(42, 2);
  out.writeUInt32LE(8, 4);
  out.writeUInt16LE(tags.length, 8);
  let rational = rationals;
  tags.forEach(([tag, type, value], i) => {
    const e = 10 + i * 12;
    out.writeUInt16LE(tag, e);
    out.writeUInt16LE(type, e + 2);
    out.writeUInt32LE(1, e + 4);
    if (type === 3) out.writeUInt16LE(value, e + 8);
    else if (type === 4) out.writeUInt32LE(tag === 273 ? pixelStart : value, e + 8);
    else {
      out.writeUInt32LE(rational, e + 8);
      out.writeUInt32LE(value, rational);
      out.writeUInt32LE(1, rational + 4);
      rational += 8;
    }
  });
  out.set(pixels, pixelStart);
  return out;
}

/**
 * Whether `text` carries a run of `bytes` (from `from`, 24 bytes) as hex, base64 or base64url, at
 * any alignment of the encoding.
 */
export function carriesBytes(text: string, bytes: Uint8Array, from = 0): boolean {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const run = buffer.subarray(from, from + 24);
  if (run.length < 12) throw new RangeError('too few bytes to look for');
  if (text.toLowerCase().includes(run.toString('hex'))) return true;
  for (let shift = 0; shift < 3; shift++) {
    const part = run.subarray(shift, shift + 18); // 18 bytes: 24 characters, no padding
    if (text.includes(part.toString('base64')) || text.includes(part.toString('base64url'))) return true;
  }
  return false;
}
