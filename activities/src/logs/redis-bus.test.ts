import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
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
      expect(raw).toEqual([
        [
          id,
          [
            'kind',
            'log',
            'stream',
            'stderr',
            'line',
            'hi',
            'ts',
            '42',
            'batch',
            expect.any(String),
          ],
        ],
      ]);
    } finally {
      await bus.close();
    }
  });

  it('appends a batch larger than one script call in order, marking only its first entry', async () => {
    const bus = createRedisLogBus({ url: TEST_REDIS_URL, keyPrefix });
    try {
      const lines = Array.from({ length: 2500 }, (_, i) => `line ${i}`);
      const ids = await bus.append(
        'large',
        lines.map((line) => ({ kind: 'log' as const, stream: 'stdout' as const, line, ts: 1 })),
      );
      const read = await bus.read('large');
      expect(read.map((entry) => entry.id)).toEqual(ids);
      expect(read.map((entry) => (entry.kind === 'log' ? entry.line : ''))).toEqual(lines);
      const raw = await admin.xrange(`${keyPrefix}:logs:large`, '-', '+');
      expect(raw.filter(([, fields]) => fields.includes('batch')).map(([id]) => id)).toEqual([
        ids[0],
      ]);
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

  it('serves every subscription from one reader connection, released when the bus closes', async () => {
    const bus = createRedisLogBus({
      url: TEST_REDIS_URL,
      keyPrefix,
      subscriberConnectionName,
      logger: pino({ level: 'silent' }),
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const before = await subscriberConnections();
    // 60 watchers on 12 sessions, some joining with a backlog, some live only.
    const sessions = Array.from({ length: 12 }, (_, i) => `many-${i}`);
    const log = (line: string) => ({ kind: 'log', stream: 'stdout', line, ts: 0 }) as const;
    for (const id of sessions) await bus.append(id, [log('early')]);
    const seen = new Map<number, string[]>();
    for (let watcher = 0; watcher < 60; watcher++) {
      const lines: string[] = [];
      seen.set(watcher, lines);
      bus.subscribe(sessions[watcher % 12] ?? '', undefined, (entry) => {
        if (entry.kind === 'log') lines.push(entry.line);
      });
    }
    await waitFor(() => [...seen.values()].every((lines) => lines.length === 1), 5000, 'backlogs');
    for (const id of sessions) await bus.append(id, [log('live 1'), log('live 2')]);
    await waitFor(
      () => [...seen.values()].every((lines) => lines.length === 3),
      5000,
      'live entries',
    );
    for (const lines of seen.values()) expect(lines).toEqual(['early', 'live 1', 'live 2']);
    expect(await subscriberConnections()).toBe(before + 1);
    await bus.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await subscriberConnections()).toBe(before);
  });

  it('writes a batch once when the reply to its append is lost (a Redis restart)', async () => {
    const proxy = await startReplyCuttingProxy(TEST_REDIS_URL);
    const bus = createRedisLogBus({
      url: proxy.url,
      keyPrefix,
      logger: pino({ level: 'silent' }),
    });
    try {
      const log = (line: string) => ({ kind: 'log', stream: 'stdout', line, ts: 0 }) as const;
      await bus.append('lost-reply', [log('first')]);
      proxy.cutAfterNextTransaction();
      const ids = await bus.append('lost-reply', [log('a'), log('b')]);
      expect(proxy.cuts()).toBe(1);
      const raw = await admin.xrange(`${keyPrefix}:logs:lost-reply`, '-', '+');
      expect(raw.map(([, fields]) => fields[5])).toEqual(['first', 'a', 'b']);
      expect(ids).toEqual(raw.slice(1).map(([id]) => id));
    } finally {
      await bus.close();
      await proxy.close();
    }
  });
});

/**
 * A TCP proxy to Redis that, once armed, lets the next MULTI/EXEC through and then drops the
 * connection before the client hears the reply: the transaction ran, the client cannot know.
 */
async function startReplyCuttingProxy(target: string) {
  const { hostname, port } = new URL(target);
  let armed = false;
  let cuts = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    let execSent = false;
    let heldBack = '';
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      if (armed && chunk.toString().toLowerCase().includes('\r\nexec\r\n')) execSent = true;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!execSent) {
        client.write(chunk);
        return;
      }
      // Cut once EXEC's reply (it holds the new entry ids) is back from Redis.
      heldBack += chunk.toString();
      if (/\d{13}-\d+/.test(heldBack)) {
        armed = false;
        cuts += 1;
        end();
      }
    });
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: proxyPort } = server.address() as AddressInfo;
  return {
    url: `redis://127.0.0.1:${proxyPort}`,
    cutAfterNextTransaction: () => {
      armed = true;
    },
    cuts: () => cuts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
