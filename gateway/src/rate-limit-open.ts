import type { Logger } from 'pino';
import { createMemoryRateLimiter, type RateLimiter, type RateLimitPolicy } from './rate-limit.js';
import { createRedisRateLimiter } from './rate-limit-redis.js';

/**
 * The rate limiter a gateway process uses: on Redis when there is one (replicas count
 * together), in this process otherwise; none when the policy is off.
 */
export function openRateLimiter(options: {
  policy: RateLimitPolicy | null;
  redisUrl: string | null;
  keyPrefix: string;
  logger: Logger;
}): RateLimiter | null {
  if (!options.policy) return null;
  if (!options.redisUrl) return createMemoryRateLimiter(options.policy);
  return createRedisRateLimiter({
    url: options.redisUrl,
    keyPrefix: options.keyPrefix,
    policy: options.policy,
    logger: options.logger,
  });
}
