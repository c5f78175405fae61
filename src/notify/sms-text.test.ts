import { describe, expect, it } from 'vitest';
import { CAPACITY, concatReference, concatUdh, encodeSms, isGsm7 } from './sms-text.ts';

function ucs2(buf: Buffer): string {
  return new TextDecoder('utf-16be').decode(buf);
}

describe('SMS text encoding', () => {
  it('uses GSM-7 for plain Latin text, one octet per septet, escapes for extension characters', () => {
    const sms = encodeSms('Code 1234 [ok] €5');
    expect(sms.encoding).toBe('gsm7');
    expect(sms.dataCoding).toBe(0);
    expect(sms.parts).toHaveLength(1);
    // '[' is ESC 0x3C, '€' is ESC 0x65
    expect([...sms.payload.subarray(10, 12)]).toEqual([0x1b, 0x3c]);
    expect([...sms.payload.subarray(-3, -1)]).toEqual([0x1b, 0x65]);
    expect(sms.payload[0]).toBe(0x43); // 'C'
    expect(isGsm7('@£$¥èéùìòÇ')).toBe(true);
  });

  it('uses UCS-2 (data_coding 8) for Vietnamese', () => {
    const text = 'Mã xác thực của bạn là 123456.';
    expect(isGsm7(text)).toBe(false);
    const sms = encodeSms(text);
    expect(sms.encoding).toBe('ucs2');
    expect(sms.dataCoding).toBe(8);
    expect(sms.parts).toHaveLength(1);
    expect(ucs2(sms.payload)).toBe(text);
    expect([...sms.payload.subarray(0, 4)]).toEqual([0x00, 0x4d, 0x00, 0xe3]); // 'M', 'ã'
  });

  it('puts 70 UCS-2 characters in one SMS and 67 in each part beyond', () => {
    expect(encodeSms('ệ'.repeat(70)).parts).toHaveLength(1);
    const long = encodeSms('ệ'.repeat(71));
    expect(long.parts.map((p) => p.length / 2)).toEqual([67, 4]);
    expect(ucs2(Buffer.concat(long.parts))).toBe('ệ'.repeat(71));
    expect(encodeSms('a'.repeat(160)).parts).toHaveLength(1);
    expect(encodeSms('a'.repeat(161)).parts.map((p) => p.length)).toEqual([153, 8]);
    expect(CAPACITY.ucs2.part).toBe(67);
  });

  it('never splits a GSM escape sequence or a surrogate pair', () => {
    const gsm = encodeSms('a'.repeat(152) + '€' + 'b'.repeat(10));
    expect(gsm.parts[0]!.length).toBe(152);
    expect([...gsm.parts[1]!.subarray(0, 2)]).toEqual([0x1b, 0x65]);
    const emoji = encodeSms('ơ'.repeat(66) + '😀' + 'ư'.repeat(5));
    expect(emoji.parts[0]!.length / 2).toBe(66);
    expect(ucs2(emoji.parts[1]!)).toBe('😀ưưưưư');
  });

  it('normalises to NFC before encoding (a decomposed ệ is one character, not three)', () => {
    const nfd = 'ệ'.normalize('NFD');
    expect(nfd.length).toBe(3);
    expect(encodeSms(nfd.repeat(70)).parts).toHaveLength(1);
  });

  it('bounds the number of parts', () => {
    expect(() => encodeSms('ư'.repeat(67 * 3 + 1), { maxParts: 3 })).toThrow(RangeError);
  });

  it('builds the concatenation header', () => {
    expect([...concatUdh(0x1a2, 3, 2)]).toEqual([0x05, 0x00, 0x03, 0xa2, 0x03, 0x02]);
    expect(() => concatUdh(1, 2, 3)).toThrow(RangeError);
    expect(concatReference('x')).toBe(concatReference('x'));
  });
});
