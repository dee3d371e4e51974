/**
 * One blocking reader for every live subscription of a bus: a single connection runs
 * `XREAD BLOCK … STREAMS <every watched stream>`, and hands each subscription what follows its
 * own cursor. A connection per subscription (what the bus did before) put 200 browsers on 200
 * Redis connections per gateway; now it is one, whatever the number of watchers.
 *
 * Subscriptions join caught up (the bus replays their backlog with XRANGE first), so the
 * streams read here are near their tails. A subscription added while the read blocks wakes it
 * with `CLIENT UNBLOCK`, so it is read from at once rather than after the block times out.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { compareEntryIds } from './entry-id.js';

type StreamItems = [id: string, fields: string[]][];

export interface StreamSubscription {
  key: string;
  /** The last id delivered to it (exclusive start of what it gets next). */
  cursor: string;
  /** Takes items after its cursor, in order; returns the id it got up to. */
  deliver(items: StreamItems): void;
}

export interface StreamReader {
  /** Starts reading the subscription's stream from its cursor; returns what removes it. */
  add(subscription: StreamSubscription): () => void;
  close(): void;
}

export interface StreamReaderOptions {
  /** The bus's command connection: it sends CLIENT UNBLOCK (never blocks itself). */
  commands: Redis;
  /** A fresh connection for the blocking reads (opened on the first subscription). */
  connect(): Redis;
  blockMs: number;
  logger?: Pick<Logger, 'warn' | 'error'>;
}

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;
/** Entries per stream per read: a busy stream cannot starve the others for long. */
const COUNT = 1000;

export function createStreamReader(options: StreamReaderOptions): StreamReader {
  const subscriptions = new Set<StreamSubscription>();
  let connection: Redis | null = null;
  /** The blocking connection's client id while it is connected (for CLIENT UNBLOCK). */
  let clientId: number | null = null;
  let reading = false;
  let loop: Promise<void> | null = null;
  let closed = false;

  function open(): Redis {
    const redis = options.connect();
    redis.on('error', (error: Error) => {
      if (connection === redis) options.logger?.warn({ err: error }, 'redis log reader error');
    });
    // A reconnect is a new client: its id is read again before the next block.
    redis.on('close', () => {
      if (connection === redis) clientId = null;
    });
    return redis;
  }

  /** Ends the blocked read early so the next one includes what changed. */
  function wake(): void {
    if (!reading || clientId === null) return;
    options.commands.client('UNBLOCK', clientId).catch((error: unknown) => {
      options.logger?.warn({ err: error }, 'could not wake the redis log reader');
    });
  }

  /** Each watched stream once, from the earliest cursor any of its subscriptions has. */
  function streams(): Map<string, string> {
    const from = new Map<string, string>();
    for (const { key, cursor } of subscriptions) {
      const earliest = from.get(key);
      if (earliest === undefined || compareEntryIds(cursor, earliest) < 0) from.set(key, cursor);
    }
    return from;
  }

  async function run(redis: Redis): Promise<void> {
    let retryMs = RETRY_MIN_MS;
    while (!closed && subscriptions.size > 0 && connection === redis) {
      const from = streams();
      try {
        clientId ??= Number(await redis.client('ID'));
        reading = true;
        const reply = (await redis.xread(
          'COUNT',
          COUNT,
          'BLOCK',
          options.blockMs,
          'STREAMS',
          ...from.keys(),
          ...from.values(),
        )) as Array<[key: string, items: StreamItems]> | null;
        reading = false;
        retryMs = RETRY_MIN_MS;
        for (const [key, items] of reply ?? []) {
          for (const subscription of [...subscriptions]) {
            if (subscription.key !== key || !subscriptions.has(subscription)) continue;
            const fresh = items.filter(([id]) => compareEntryIds(id, subscription.cursor) > 0);
            if (fresh.length > 0) subscription.deliver(fresh);
          }
        }
      } catch (error) {
        reading = false;
        if (closed || connection !== redis) return;
        options.logger?.warn({ err: error, retryMs }, 'reading the log streams failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, retryMs));
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      }
    }
  }

  function start(): void {
    if (loop || closed) return;
    connection ??= open();
    const redis = connection;
    loop = run(redis).finally(() => {
      loop = null;
      // The last subscription left: the connection goes too (the next one opens another).
      if (subscriptions.size === 0 || closed) {
        if (connection === redis) {
          connection = null;
          clientId = null;
        }
        redis.disconnect();
      } else start();
    });
  }

  return {
    add(subscription) {
      subscriptions.add(subscription);
      if (loop) wake();
      else start();
      return () => {
        if (!subscriptions.delete(subscription)) return;
        // Nobody left: end the block now so the connection is released at once.
        if (subscriptions.size === 0) wake();
      };
    },
    close() {
      closed = true;
      subscriptions.clear();
      connection?.disconnect();
      connection = null;
    },
  };
}
