/**
 * The log bus on Redis Streams: one stream per session (`<prefix>:logs:<sessionId>`), so a
 * reader anywhere (another gateway replica, a reconnecting browser) resumes from the last id it
 * saw. Writers XADD a batch in one script (APPEND_SCRIPT), so it stays contiguous and ordered;
 * readers XRANGE with an exclusive start. A subscription replays its backlog with XRANGE, then joins the
 * bus's one blocking reader (redis-stream-reader.ts), which XREADs every watched stream on a
 * connection of its own: a blocking read would stall every command queued on a shared one.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { isEntryId } from './entry-id.js';
import {
  createOnceConnection,
  ReplyLostError,
  type OnceConnection,
  type TransactionResults,
} from './redis-once-connection.js';
import { createStreamReader } from './redis-stream-reader.js';
import type { BusEntry, BusEntryInput, LogBus, LogStream, ReadOptions } from './types.js';
import type { SessionStatus } from '@orchestrator/workflows/types';

export const DEFAULT_STREAM_MAX_LENGTH = 200_000;

export interface RedisLogBusOptions {
  url: string;
  /** Prefix of every key, so deployments or test runs can share one Redis. */
  keyPrefix?: string;
  /** Approximate cap per session stream (`XADD MAXLEN ~`). */
  maxLength?: number;
  /** How long one XREAD blocks; bounds how long an unsubscribed loop can linger. */
  blockMs?: number;
  /** CLIENT SETNAME of the subscribers' reader connection, to spot it in `CLIENT LIST`. */
  subscriberConnectionName?: string;
  logger?: Pick<Logger, 'warn' | 'error'>;
}

export interface RedisLogBus extends LogBus {
  /** The stream key of a session (for operators and tests). */
  streamKey(sessionId: string): string;
}

/** Field of a batch's first entry naming the batch (see append); readers ignore it. */
const BATCH_FIELD = 'batch';

/** Entries per script call: ~10 arguments each, far below any limit on spread arguments. */
const SCRIPT_ENTRIES = 1000;

/**
 * XADDs a batch in one script call: ARGV is maxlen, the batch name (empty: none), then per
 * entry its field count and fields; the first entry also gets the batch field. Returns the ids
 * in order. A script runs atomically like the MULTI of one XADD per entry it replaces, for one
 * command instead of a thousand: the worker's Redis client spent its time building and parsing
 * those (the bench's profile at 200,000 lines).
 */
const APPEND_SCRIPT = `
local ids = {}
local i = 3
while i <= #ARGV do
  local n = tonumber(ARGV[i])
  local args = {'XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*'}
  for j = 1, n do args[#args + 1] = ARGV[i + j] end
  if i == 3 and ARGV[2] ~= '' then
    args[#args + 1] = '${BATCH_FIELD}'
    args[#args + 1] = ARGV[2]
  end
  ids[#ids + 1] = redis.call(unpack(args))
  i = i + n + 1
end
return ids
`;
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;
/** Backlog entries a subscription replays per XRANGE. */
const BACKLOG_PAGE = 1000;

export function createRedisLogBus(options: RedisLogBusOptions): RedisLogBus {
  const keyPrefix = options.keyPrefix ?? 'io';
  const maxLength = String(options.maxLength ?? DEFAULT_STREAM_MAX_LENGTH);
  const blockMs = options.blockMs ?? 1_000;
  const subscriberConnectionName = options.subscriberConnectionName ?? 'io-log-subscriber';
  const logger = options.logger;
  const redis = new Redis(options.url, { connectionName: 'io-log-bus' });
  // Without a listener ioredis prints every reconnect failure; route them to our logger.
  redis.on('error', (error: Error) =>
    logger?.warn({ err: error }, 'redis log bus connection error'),
  );
  // Appends go out at most once; when a reply is lost, findBatch tells whether they landed.
  // Opened on the first append: a gateway only reads.
  let appender: OnceConnection | undefined;
  const appenderConnection = () =>
    (appender ??= createOnceConnection(redis, {
      connectionName: 'io-log-appender',
      onError: (error) => logger?.warn({ err: error }, 'redis log appender connection error'),
    }));
  const stops = new Set<() => void>();
  const reader = createStreamReader({
    commands: redis,
    connect: () =>
      redis.duplicate({
        connectionName: subscriberConnectionName,
        // A blocked read must not be failed by the offline queue's retry limit; the reader
        // handles errors itself.
        maxRetriesPerRequest: null,
      }),
    blockMs,
    ...(logger ? { logger } : {}),
  });

  const streamKey = (sessionId: string) => `${keyPrefix}:logs:${sessionId}`;

  /**
   * The ids of an append that ran although its reply was lost, or null if it did not run. A
   * transaction is atomic: its entries are all there, one after another, or none is.
   */
  async function findBatch(key: string, batch: string, count: number): Promise<string[] | null> {
    const recent = await redis.xrevrange(key, '+', '-', 'COUNT', Math.max(1000, 2 * count));
    const first = recent.find(([, fields]) => fieldsOf(fields).get(BATCH_FIELD) === batch);
    if (!first) return null;
    const items = await redis.xrange(key, first[0], '+', 'COUNT', count);
    return items.map(([id]) => id);
  }

  return {
    streamKey,

    async append(sessionId: string, entries: BusEntryInput[]): Promise<string[]> {
      if (entries.length === 0) return [];
      const key = streamKey(sessionId);
      // Marks the batch's first entry: when the connection breaks before the reply (a Redis
      // restart), the stream itself says whether the transaction ran.
      const batch = randomBytes(8).toString('hex');
      let results: TransactionResults;
      // One script call per SCRIPT_ENTRIES entries (a call's arguments are spread), all in one
      // transaction; only the first call marks the batch.
      const calls: string[][] = [];
      for (let start = 0; start < entries.length; start += SCRIPT_ENTRIES) {
        const args = [maxLength, start === 0 ? batch : ''];
        for (const entry of entries.slice(start, start + SCRIPT_ENTRIES)) {
          const fields = encodeFields(entry);
          args.push(String(fields.length));
          for (const field of fields) args.push(field);
        }
        calls.push(args);
      }
      try {
        results = await appenderConnection().exec((multi) => {
          for (const args of calls) multi.eval(APPEND_SCRIPT, 1, key, ...args);
        });
      } catch (error) {
        if (!(error instanceof ReplyLostError)) throw error;
        // Waits for Redis to be back (the main connection queues), then reads the answer.
        const landed = await findBatch(key, batch, entries.length).catch(() => null);
        if (landed) return landed;
        throw error;
      }
      if (results.length !== calls.length) {
        throw new Error(
          `Redis answered the append transaction with ${results.length} replies for ${calls.length} calls`,
        );
      }
      return results.flatMap(([error, ids]) => {
        if (error) throw error;
        return (ids as unknown[]).map(String);
      });
    },

    async read(sessionId: string, readOptions: ReadOptions = {}): Promise<BusEntry[]> {
      const start = readOptions.after === undefined ? '-' : `(${checkedId(readOptions.after)}`;
      const items =
        readOptions.limit === undefined
          ? await redis.xrange(streamKey(sessionId), start, '+')
          : await redis.xrange(streamKey(sessionId), start, '+', 'COUNT', readOptions.limit);
      return decodeItems(sessionId, items, logger);
    },

    subscribe(sessionId, after, onEntry) {
      const key = streamKey(sessionId);
      // Entries strictly after the cursor, which moves only past delivered entries: the backlog
      // and then the live tail with no gap and no repeat.
      let cursor = after === undefined ? '0-0' : checkedId(after);
      let active = true;
      let leave: (() => void) | null = null;
      const deliver = (items: [id: string, fields: string[]][]) => {
        for (const entry of decodeItems(sessionId, items, logger)) {
          if (!active) return;
          cursor = entry.id;
          try {
            onEntry(entry);
          } catch (error) {
            logger?.error({ err: error, key }, 'log bus subscriber failed');
          }
        }
        // Skipped entries (of an unknown kind) move the cursor too.
        const last = items.at(-1);
        if (active && last) cursor = last[0];
      };
      const stop = () => {
        if (!active) return;
        active = false;
        stops.delete(stop);
        leave?.();
      };
      stops.add(stop);

      void (async () => {
        let retryMs = RETRY_MIN_MS;
        // The backlog, page by page, on the command connection; then the live tail.
        for (;;) {
          if (!active) return;
          try {
            const items = await redis.xrange(key, `(${cursor}`, '+', 'COUNT', BACKLOG_PAGE);
            deliver(items);
            if (items.length < BACKLOG_PAGE) break;
            retryMs = RETRY_MIN_MS;
          } catch (error) {
            if (!active) return;
            logger?.warn({ err: error, key, retryMs }, 'reading the log backlog failed; retrying');
            await new Promise((resolve) => setTimeout(resolve, retryMs));
            retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
          }
        }
        if (!active) return;
        leave = reader.add({
          key,
          get cursor() {
            return cursor;
          },
          deliver,
        });
      })();
      return stop;
    },

    async ping(): Promise<void> {
      await redis.ping();
    },

    async close(): Promise<void> {
      for (const stop of [...stops]) stop();
      reader.close();
      await appender?.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

function checkedId(id: string): string {
  if (!isEntryId(id)) {
    throw new TypeError(`Invalid log entry id "${id}": expected "<milliseconds>-<sequence>"`);
  }
  return id;
}

/** Flat field list as stored in the stream: kind, then what that kind carries, then ts. */
function encodeFields(entry: BusEntryInput): string[] {
  if (entry.kind === 'log') {
    return ['kind', 'log', 'stream', entry.stream, 'line', entry.line, 'ts', String(entry.ts)];
  }
  const fields = ['kind', 'status', 'status', entry.status, 'ts', String(entry.ts)];
  if (entry.detail !== undefined) fields.push('detail', entry.detail);
  return fields;
}

function fieldsOf(flat: string[]): Map<string, string> {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i]!, flat[i + 1]!);
  return fields;
}

function decodeItems(
  sessionId: string,
  items: [id: string, fields: string[]][],
  logger: Pick<Logger, 'warn'> | undefined,
): BusEntry[] {
  const entries: BusEntry[] = [];
  for (const [id, flat] of items) {
    // Straight over the flat pairs rather than through a Map per entry: a gateway decodes
    // every entry of every watched stream, thousands a second when an agent is chatty.
    let kind: string | undefined;
    let stream: string | undefined;
    let line: string | undefined;
    let status: string | undefined;
    let detail: string | undefined;
    let ts: string | undefined;
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const value = flat[i + 1]!;
      switch (flat[i]) {
        case 'kind':
          kind = value;
          break;
        case 'stream':
          stream = value;
          break;
        case 'line':
          line = value;
          break;
        case 'status':
          status = value;
          break;
        case 'detail':
          detail = value;
          break;
        case 'ts':
          ts = value;
          break;
      }
    }
    if (kind === 'log') {
      entries.push({
        id,
        sessionId,
        kind,
        stream: stream as LogStream,
        line: line ?? '',
        ts: Number(ts),
      });
    } else if (kind === 'status') {
      entries.push({
        id,
        sessionId,
        kind,
        status: status as SessionStatus,
        ts: Number(ts),
        ...(detail === undefined ? {} : { detail }),
      });
    } else {
      // Written by something else (or a newer version): skip it rather than break readers.
      logger?.warn({ id, sessionId, kind }, 'skipping a log stream entry of unknown kind');
    }
  }
  return entries;
}
