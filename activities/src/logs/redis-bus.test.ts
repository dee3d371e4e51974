import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectTestRedis,
  dropRedisPrefix,
  TEST_REDIS_URL,
  uniqueName,
} from '../testing/services.js';
import { waitFor } from '../testing/processes.js';
import { describeLogBus } from './log-bus-contract.js';
import { createRedisLogBus } from './redis-bus.js';

let admin: Redis;
const keyPrefix = uniqueName('iotest');

beforeAll(async () => {
  admin = await connectTestRedis();
});
afterAll(async () => {
  await dropRedisPrefix(admin, keyPrefix);
  admin.disconnect();
});

/** This file's subscriber connections (named per test file) open on the server right now. */
const subscriberConnectionName = uniqueName('io-sub');
async function subscriberConnections(): Promise<number> {
  const list = (await admin.client('LIST')) as string;
  return list.split('\n').filter((l) => l.includes(` name=${subscriberConnectionName} `)).length;
}

describeLogBus('Redis', async () => {
  const bus = createRedisLogBus({
    url: TEST_REDIS_URL,
    keyPrefix,
    subscriberConnectionName,
    logger: pino({ level: 'silent' }),
  });
  return { bus, openSubscriptions: subscriberConnections, close: () => bus.close() };
});

describe('Redis log bus storage', () => {
  it('keeps one stream per session under the key prefix, fields readable with redis-cli', async () => {
    const bus = createRedisLogBus({ url: TEST_REDIS_URL, keyPrefix });
    try {
      const [id] = await bus.append('layout', [
        { kind: 'log', stream: 'stderr', line: 'hi', ts: 42 },
      ]);
      expect(bus.streamKey('layout')).toBe(`${keyPrefix}:logs:layout`);
      const raw = await admin.xrange(`${keyPrefix}:logs:layout`, '-', '+');
      expect(raw).toEqual([[id, ['kind', 'log', 'stream', 'stderr', 'line', 'hi', 'ts', '42']]]);
    } finally {
      await bus.close();
    }
  });

  it('trims each stream to about maxLength entries', async () => {
    const bus = createRedisLogBus({ url: TEST_REDIS_URL, keyPrefix, maxLength: 100 });
    try {
      for (let i = 0; i < 10; i += 1) {
        await bus.append(
          'trimmed',
          Array.from(
            { length: 100 },
            () => ({ kind: 'log', stream: 'stdout', line: 'x', ts: 0 }) as const,
          ),
        );
      }
      const length = await admin.xlen(`${keyPrefix}:logs:trimmed`);
      expect(length).toBeGreaterThanOrEqual(100);
      expect(length).toBeLessThan(1000);
    } finally {
      await bus.close();
    }
  });

  it('keeps a subscription going, without gap or repeat, when its connection is killed', async () => {
    const bus = createRedisLogBus({
      url: TEST_REDIS_URL,
      keyPrefix,
      subscriberConnectionName: `${subscriberConnectionName}-k`,
      logger: pino({ level: 'silent' }),
    });
    const seen: string[] = [];
    const stop = bus.subscribe('killed', undefined, (entry) => {
      if (entry.kind === 'log') seen.push(entry.line);
    });
    try {
      const log = (line: string) => ({ kind: 'log', stream: 'stdout', line, ts: 0 }) as const;
      await bus.append('killed', [log('before')]);
      await waitFor(() => seen.length === 1, 5000, 'the first entry');
      const list = (await admin.client('LIST')) as string;
      const id = list
        .split('\n')
        .find((l) => l.includes(` name=${subscriberConnectionName}-k `))
        ?.match(/^id=(\d+)/)?.[1];
      expect(id).toBeDefined();
      await admin.client('KILL', 'ID', id!);
      await bus.append('killed', [log('after 1'), log('after 2')]);
      await waitFor(() => seen.length === 3, 10_000, 'entries after the reconnect');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(seen).toEqual(['before', 'after 1', 'after 2']);
    } finally {
      stop();
      await bus.close();
    }
  });

  it('stops subscriptions when the bus is closed', async () => {
    const bus = createRedisLogBus({
      url: TEST_REDIS_URL,
      keyPrefix,
      subscriberConnectionName,
      logger: pino({ level: 'silent' }),
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const before = await subscriberConnections();
    bus.subscribe('closing', undefined, () => {});
    bus.subscribe('closing', undefined, () => {});
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await subscriberConnections()).toBe(before + 2);
    await bus.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await subscriberConnections()).toBe(before);
  });
});
