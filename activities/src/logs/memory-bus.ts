/**
 * The in-process log bus of the embedded mode (`npm start` without REDIS_URL): the same
 * semantics as the Redis bus (ids `<ms>-<seq>` that only grow per session, exclusive resume,
 * backlog-then-live subscriptions), kept in memory and bounded per session.
 */
import type { Logger } from 'pino';
import { compareEntryIdParts, parseEntryId, type EntryIdParts } from './entry-id.js';
import type { BusEntry, BusEntryInput, LogBus, ReadOptions } from './types.js';

export const DEFAULT_MAX_ENTRIES_PER_SESSION = 200_000;

export interface MemoryLogBusOptions {
  /** Oldest entries of a session are dropped beyond this (like Redis `MAXLEN`). */
  maxEntriesPerSession?: number;
  /** Where a subscriber callback that throws is reported. */
  logger?: Pick<Logger, 'error'>;
}

interface StoredEntry extends EntryIdParts {
  entry: BusEntry;
}

interface Subscriber {
  /** Id of the last delivered entry; undefined before the first. */
  cursor: EntryIdParts | undefined;
  onEntry: (entry: BusEntry) => void;
  active: boolean;
  scheduled: boolean;
}

interface SessionLog {
  entries: StoredEntry[];
  last: EntryIdParts;
  subscribers: Set<Subscriber>;
}

export function createMemoryLogBus(options: MemoryLogBusOptions = {}): LogBus {
  const maxEntries = options.maxEntriesPerSession ?? DEFAULT_MAX_ENTRIES_PER_SESSION;
  const sessions = new Map<string, SessionLog>();
  let closed = false;

  function session(sessionId: string): SessionLog {
    let log = sessions.get(sessionId);
    if (!log) {
      log = { entries: [], last: { ms: 0, seq: 0 }, subscribers: new Set() };
      sessions.set(sessionId, log);
    }
    return log;
  }

  /** Redis' rule: the clock part never goes back, the sequence breaks ties within one ms. */
  function nextId(log: SessionLog): EntryIdParts {
    const now = Date.now();
    log.last = now > log.last.ms ? { ms: now, seq: 0 } : { ms: log.last.ms, seq: log.last.seq + 1 };
    return log.last;
  }

  /** Index of the first entry after `after` (binary search: ids are sorted). */
  function firstIndexAfter(entries: StoredEntry[], after: EntryIdParts | undefined): number {
    if (!after) return 0;
    let low = 0;
    let high = entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareEntryIdParts(entries[mid]!, after) <= 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /**
   * Delivers everything after the subscriber's cursor. Runs in a microtask, never inside
   * append(): a callback that appends or unsubscribes cannot re-enter a delivery in progress,
   * and the cursor makes every entry arrive exactly once however often this is scheduled.
   */
  function schedule(log: SessionLog, subscriber: Subscriber): void {
    if (subscriber.scheduled || !subscriber.active) return;
    subscriber.scheduled = true;
    queueMicrotask(() => {
      subscriber.scheduled = false;
      let index = firstIndexAfter(log.entries, subscriber.cursor);
      while (subscriber.active && index < log.entries.length) {
        const stored = log.entries[index]!;
        subscriber.cursor = stored;
        try {
          subscriber.onEntry(stored.entry);
        } catch (error) {
          options.logger?.error({ err: error }, 'log bus subscriber failed');
        }
        // The callback may have appended (fine, the loop continues) or trimmed (re-find).
        index = log.entries[index] === stored ? index + 1 : firstIndexAfter(log.entries, stored);
      }
    });
  }

  return {
    async append(sessionId: string, inputs: BusEntryInput[]): Promise<string[]> {
      if (closed) throw new Error('The log bus is closed');
      const log = session(sessionId);
      const ids = inputs.map((input) => {
        const parts = nextId(log);
        const id = `${parts.ms}-${parts.seq}`;
        log.entries.push({ ...parts, entry: { ...input, id, sessionId } });
        return id;
      });
      if (log.entries.length > maxEntries) log.entries.splice(0, log.entries.length - maxEntries);
      for (const subscriber of log.subscribers) schedule(log, subscriber);
      return ids;
    },

    async read(sessionId: string, readOptions: ReadOptions = {}): Promise<BusEntry[]> {
      const after = readOptions.after === undefined ? undefined : parseEntryId(readOptions.after);
      const log = sessions.get(sessionId);
      if (!log) return [];
      const start = firstIndexAfter(log.entries, after);
      const end = readOptions.limit === undefined ? undefined : start + readOptions.limit;
      return log.entries.slice(start, end).map((stored) => stored.entry);
    },

    subscribe(sessionId, after, onEntry) {
      const cursor = after === undefined ? undefined : parseEntryId(after);
      const log = session(sessionId);
      const subscriber: Subscriber = { cursor, onEntry, active: !closed, scheduled: false };
      log.subscribers.add(subscriber);
      schedule(log, subscriber);
      return () => {
        subscriber.active = false;
        log.subscribers.delete(subscriber);
        // Watching a session that never logged must not leave an empty record behind forever.
        if (log.entries.length === 0 && log.subscribers.size === 0) sessions.delete(sessionId);
      };
    },

    async ping(): Promise<void> {
      if (closed) throw new Error('The log bus is closed');
    },

    async close(): Promise<void> {
      closed = true;
      for (const log of sessions.values()) {
        for (const subscriber of log.subscribers) subscriber.active = false;
        log.subscribers.clear();
      }
    },
  };
}
