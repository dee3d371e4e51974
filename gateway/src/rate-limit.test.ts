import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '@orchestrator/activities/testing/services';
import { createMemoryRateLimiter, gcraStep, type RateLimiter } from './rate-limit.js';
import { createRedisRateLimiter } from './rate-limit-redis.js';

const policy = { perMinute: 60, burst: 3 }; // one a second after a burst of three

describe('GCRA step', () => {
  it('allows a burst, then one request per interval, and says when the next one may come', () => {
    let tat: number | null = null;
    const at = (now: number) => {
      const decision = gcraStep(tat, now, policy);
      if (decision.allowed) tat = decision.tat;
      return decision;
    };
    expect([at(0), at(0), at(0)].map((d) => [d.allowed, d.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
    ]);
    expect(at(0)).toMatchObject({ allowed: false, retryAfterMs: 1000, remaining: 0 });
    expect(at(400)).toMatchObject({ allowed: false, retryAfterMs: 600 });
    expect(at(1000)).toMatchObject({ allowed: true, remaining: 0 });
    expect(at(1000).allowed).toBe(false);
    // A long pause refills the whole burst, never more.
    expect(at(60_000)).toMatchObject({ allowed: true, remaining: 2 });
  });
});

describe('in-process limiter', () => {
  it('counts each key on its own and forgets keys whose bucket is full again', async () => {
    let now = 0;
    const limiter = createMemoryRateLimiter(policy, () => now);
    for (let i = 0; i < 3; i += 1) expect((await limiter.take('a')).allowed).toBe(true);
    expect(await limiter.take('a')).toMatchObject({ allowed: false, retryAfterMs: 1000 });
    expect((await limiter.take('b')).allowed).toBe(true);
    now = 10 * 60_000;
    for (let i = 0; i < 1000; i += 1) await limiter.take(`k${i % 2}`);
    expect(limiter.size()).toBeLessThanOrEqual(3);
  });
});

describe('Redis limiter', () => {
  const prefix = `iotest_rl_${randomBytes(4).toString('hex')}`;
  const limiters: RateLimiter[] = [];
  // Redis keeps the real time: one token per 10 s, so the four takes (with two connects) can
  // take seconds on a loaded machine without a token coming back in between.
  const slow = { perMinute: 6, burst: 3 };
  const open = () => {
    const limiter = createRedisRateLimiter({
      url: TEST_REDIS_URL,
      keyPrefix: prefix,
      policy: slow,
    });
    limiters.push(limiter);
    return limiter;
  };
  afterAll(async () => {
    await Promise.all(limiters.map((limiter) => limiter.close()));
  });

  it('shares one budget per key between replicas, and answers when to come back', async () => {
    const [first, second] = [open(), open()];
    const results = [];
    for (const limiter of [first, second, first, second]) results.push(await limiter.take('tok'));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results[2]!.remaining).toBe(0);
    // Less than 10 s passed since the third: the wait is positive and at most one interval.
    expect(results[3]!.retryAfterMs).toBeGreaterThan(0);
    expect(results[3]!.retryAfterMs).toBeLessThanOrEqual(10_000);
    expect((await second.take('other')).allowed).toBe(true);
  });

  it('fails (so the middleware lets requests through) when Redis cannot be reached', async () => {
    const limiter = createRedisRateLimiter({
      url: 'redis://127.0.0.1:1',
      keyPrefix: prefix,
      policy,
    });
    limiters.push(limiter);
    await expect(limiter.take('x')).rejects.toThrow();
  });
});
