import { describe, expect, test } from 'vitest';
import { loadConfig } from './config.ts';

describe('configuration', () => {
  test('defaults make a sandbox on localhost', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, baseUrl: 'http://localhost:3000', databaseUrl: undefined });
    expect(config.sandboxGateway).toBe('auto');
    expect(config.oidcAllowPrivateNetwork).toBe(false);
  });

  test('BASE_URL must be an absolute http(s) URL: it is the OpenID issuer', () => {
    expect(loadConfig({ BASE_URL: 'https://dinhdanh.example.vn/' }).baseUrl).toBe('https://dinhdanh.example.vn');
    expect(() => loadConfig({ BASE_URL: '/' })).toThrow(/absolute/);
    expect(() => loadConfig({ BASE_URL: 'ftp://x.example' })).toThrow(/http/);
  });

  test('a malformed number is refused rather than guessed', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/integer/);
  });
});
