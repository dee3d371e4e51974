/**
 * Browser-safety and throttling settings from the environment (the README lists each):
 * ALLOWED_ORIGINS, RATE_LIMIT_PER_MINUTE, RATE_LIMIT_BURST.
 */
import { normaliseOrigin } from './security-origin.js';
import type { RateLimitPolicy } from './rate-limit.js';

export interface SecurityConfig {
  /** Origins besides the console's own whose pages may call the API and open /ws. */
  allowedOrigins: string[];
  /** Per-token limit on mutating requests; null when RATE_LIMIT_PER_MINUTE=0. */
  rateLimit: RateLimitPolicy | null;
}

export const DEFAULT_RATE_LIMIT: RateLimitPolicy = { perMinute: 120, burst: 30 };

function nonNegativeInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw new Error(`${name} must be a whole number ≥ 0, got "${value}"`);
  }
  return parsed;
}

export function readSecurityConfig(env: NodeJS.ProcessEnv = process.env): SecurityConfig {
  const allowedOrigins = (env.ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean)
    .map((origin) => {
      const normalised = normaliseOrigin(origin);
      if (!normalised || normalised !== origin.replace(/\/$/, '')) {
        throw new Error(
          `ALLOWED_ORIGINS: "${origin}" is not an origin; expected scheme://host[:port] ` +
            'with no path, e.g. https://console.example.com',
        );
      }
      return normalised;
    });
  const perMinute = nonNegativeInt(
    'RATE_LIMIT_PER_MINUTE',
    env.RATE_LIMIT_PER_MINUTE,
    DEFAULT_RATE_LIMIT.perMinute,
  );
  const burst = nonNegativeInt('RATE_LIMIT_BURST', env.RATE_LIMIT_BURST, DEFAULT_RATE_LIMIT.burst);
  if (perMinute > 0 && burst < 1) {
    throw new Error('RATE_LIMIT_BURST must be at least 1 (or set RATE_LIMIT_PER_MINUTE=0)');
  }
  return { allowedOrigins, rateLimit: perMinute > 0 ? { perMinute, burst } : null };
}
