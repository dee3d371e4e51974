/**
 * Rate limits per API token on the routes that change things (POST, PUT, PATCH, DELETE).
 * The algorithm is GCRA (a leaky bucket kept as one timestamp per key): a token may make
 * `burst` requests at once, then one every 60 s / `perMinute`. A refused request is answered
 * 429 problem+json with Retry-After. The state is one number per token, kept in Redis when
 * REDIS_URL is set (so every gateway replica counts together, see rate-limit-redis.ts) and in
 * this process otherwise.
 */
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { principalOf } from './auth.js';
import { HttpProblem, sendProblem } from './problem.js';

export interface RateLimitPolicy {
  /** Sustained requests per minute per token. */
  perMinute: number;
  /** Requests a token may make at once before the sustained rate applies. */
  burst: number;
}

export interface RateDecision {
  allowed: boolean;
  /** When refused: how long until one more request would be allowed. */
  retryAfterMs: number;
  /** Requests left in the burst after this one. */
  remaining: number;
}

export interface RateLimiter {
  /** Counts one request for `key` and says whether it may proceed. */
  take(key: string): Promise<RateDecision>;
  close(): Promise<void>;
}

export function emissionIntervalMs(policy: RateLimitPolicy): number {
  return 60_000 / policy.perMinute;
}

/**
 * One GCRA step. `tat` is the key's theoretical arrival time (ms; null for a new key): the
 * moment its bucket would be empty again. Returns the decision and the tat to store (only
 * changed when allowed). The Redis script in rate-limit-redis.ts is this same function in Lua.
 */
export function gcraStep(
  tat: number | null,
  nowMs: number,
  policy: RateLimitPolicy,
): RateDecision & { tat: number } {
  const interval = emissionIntervalMs(policy);
  const start = Math.max(tat ?? nowMs, nowMs);
  const next = start + interval;
  const allowAt = next - interval * policy.burst;
  if (nowMs < allowAt) {
    return { allowed: false, retryAfterMs: allowAt - nowMs, remaining: 0, tat: start };
  }
  return {
    allowed: true,
    retryAfterMs: 0,
    remaining: Math.floor((nowMs - allowAt) / interval),
    tat: next,
  };
}

/** The in-process limiter (one gateway process, or the embedded `npm start`). */
export function createMemoryRateLimiter(
  policy: RateLimitPolicy,
  now: () => number = Date.now,
): RateLimiter & { size(): number } {
  const tats = new Map<string, number>();
  let takes = 0;
  return {
    take: async (key) => {
      const at = now();
      // Keys whose bucket is full again carry no state: drop them now and then.
      if (++takes % 1000 === 0) {
        for (const [k, tat] of tats) if (tat <= at) tats.delete(k);
      }
      const decision = gcraStep(tats.get(key) ?? null, at, policy);
      if (decision.allowed) tats.set(key, decision.tat);
      return {
        allowed: decision.allowed,
        retryAfterMs: decision.retryAfterMs,
        remaining: decision.remaining,
      };
    },
    size: () => tats.size,
    close: async () => {
      tats.clear();
    },
  };
}

const MUTATING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function tooManyRequests(retryAfterSeconds: number): HttpProblem {
  return new HttpProblem(
    429,
    'Too Many Requests',
    `This API token made too many changing requests; try again in ${retryAfterSeconds} s ` +
      '(see the Retry-After header).',
  );
}

/**
 * Limits mutating requests per API token (after the access check, which names the token).
 * Requests without a token (authentication off: the one local user) are not limited. A limiter
 * that fails (Redis down) lets the request through: throttling must not take the API down.
 */
export function rateLimitMutations(limiter: RateLimiter, logger: Logger): RequestHandler {
  return (req, res, next) => {
    const principal = principalOf(req);
    if (!MUTATING_METHODS.has(req.method) || !principal?.tokenId) {
      next();
      return;
    }
    limiter.take(`token:${principal.tokenId}`).then(
      (decision) => {
        res.setHeader('RateLimit-Remaining', String(decision.remaining));
        if (decision.allowed) {
          next();
          return;
        }
        const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
        res.setHeader('Retry-After', String(seconds));
        sendProblem(res, tooManyRequests(seconds));
      },
      (error: unknown) => {
        logger.warn({ err: error }, 'rate limiter unavailable; request let through');
        next();
      },
    );
  };
}
