import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMIT, readSecurityConfig } from './security-config.js';

describe('security settings', () => {
  it('defaults: no extra origins, the default rate limit', () => {
    expect(readSecurityConfig({})).toEqual({ allowedOrigins: [], rateLimit: DEFAULT_RATE_LIMIT });
  });

  it('reads origins (normalised) and limits; 0 turns limits off', () => {
    expect(
      readSecurityConfig({
        ALLOWED_ORIGINS: 'https://a.example, http://localhost:5173/',
        RATE_LIMIT_PER_MINUTE: '10',
        RATE_LIMIT_BURST: '2',
      }),
    ).toEqual({
      allowedOrigins: ['https://a.example', 'http://localhost:5173'],
      rateLimit: { perMinute: 10, burst: 2 },
    });
    expect(readSecurityConfig({ RATE_LIMIT_PER_MINUTE: '0' }).rateLimit).toBeNull();
  });

  it('says what is wrong with a bad value', () => {
    expect(() => readSecurityConfig({ ALLOWED_ORIGINS: 'https://a.example/path' })).toThrow(
      /ALLOWED_ORIGINS: "https:\/\/a.example\/path" is not an origin/,
    );
    expect(() => readSecurityConfig({ ALLOWED_ORIGINS: '*' })).toThrow(/not an origin/);
    expect(() => readSecurityConfig({ RATE_LIMIT_PER_MINUTE: '-1' })).toThrow(
      /RATE_LIMIT_PER_MINUTE must be a whole number ≥ 0, got "-1"/,
    );
    expect(() => readSecurityConfig({ RATE_LIMIT_BURST: '0' })).toThrow(
      /RATE_LIMIT_BURST must be at least 1/,
    );
  });
});
