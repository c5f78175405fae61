import { describe, expect, test } from 'vitest';
import { memoryLogger } from '../../test/database.ts';
import { maskText } from './logger.ts';

describe('log masking (personal data never leaves in clear)', () => {
  test('PINs, phone numbers and e-mails are masked in messages and fields', () => {
    const { log, lines } = memoryLogger();
    log.info(
      {
        pin: '001203004512',
        phone: '+84912345678',
        contact: { email: 'nguyen.van.an@example.vn' },
        list: ['0387654321'],
      },
      'login for 079085001234 from 0912345678',
    );
    const [line] = lines();
    const text = JSON.stringify(line);
    for (const secret of ['001203004512', '912345678', 'nguyen.van.an', '0387654321', '079085001234', '0912345678']) {
      expect(text).not.toContain(secret);
    }
    expect(line!.pin).toBe('001******512');
    expect(line!.msg).toBe('login for 079******234 from 091*****78');
    expect((line!.contact as { email: string }).email).toBe('n***@example.vn');
  });

  test('secret fields are removed whatever their content', () => {
    const { log, lines } = memoryLogger();
    log.info({ password: 'Mk@12345678', otp: '123456', headers: { authorization: 'Bearer abc' } }, 'attempt');
    const [line] = lines();
    expect(line).toMatchObject({ password: '[redacted]', otp: '[redacted]', headers: { authorization: '[redacted]' } });
  });

  test('ordinary numbers, dates and identifiers are left readable', () => {
    expect(maskText('migration 202611260100 at 2026-11-26 took 1234 ms')).toBe(
      'migration 202611260100 at 2026-11-26 took 1234 ms',
    );
  });
});
