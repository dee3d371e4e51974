/**
 * The rate limiter on Redis, shared by every gateway replica: one key per token holding its
 * GCRA timestamp, read and written by one Lua script (atomic, and timed by Redis' own clock so
 * replicas with skewed clocks agree). The key expires when the bucket is full again.
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { emissionIntervalMs, type RateLimiter, type RateLimitPolicy } from './rate-limit.js';

// gcraStep of rate-limit.ts, in Lua. Returns {allowed, retryAfterMs, remaining}.
const GCRA_SCRIPT = `
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local nextTat = tat + interval
local allowAt = nextTat - interval * burst
if now < allowAt then
  return {0, math.ceil(allowAt - now), 0}
end
redis.call('SET', KEYS[1], tostring(nextTat), 'PX', math.max(1, math.ceil(nextTat - now)))
return {1, 0, math.floor((now - allowAt) / interval)}
`;

const FIRST_CONNECTION_WAIT_MS = 2_000;

export interface RedisRateLimiterOptions {
  url: string;
  keyPrefix: string;
  policy: RateLimitPolicy;
  logger?: Pick<Logger, 'warn'>;
}

export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const redis = new Redis(options.url, {
    connectionName: 'io-rate-limit',
    // While Redis is away, fail at once (the middleware lets the request through) rather than
    // queueing every mutating request until it is back.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
  });
  redis.on('error', (error: Error) =>
    options.logger?.warn({ err: error }, 'redis rate limit connection error'),
  );
  const interval = String(emissionIntervalMs(options.policy));
  const burst = String(options.policy.burst);
  // A fresh limiter waits briefly for its first connection; after that, an outage fails fast.
  const firstConnection = new Promise<void>((resolve) => {
    redis.once('ready', resolve);
    setTimeout(resolve, FIRST_CONNECTION_WAIT_MS).unref();
  });
  return {
    async take(key) {
      if (['wait', 'connecting', 'connect'].includes(redis.status)) await firstConnection;
      const [allowed, retryAfterMs, remaining] = (await redis.eval(
        GCRA_SCRIPT,
        1,
        `${options.keyPrefix}:ratelimit:${key}`,
        interval,
        burst,
      )) as [number, number, number];
      return { allowed: allowed === 1, retryAfterMs, remaining };
    },
    close: async () => {
      redis.disconnect();
    },
  };
}
