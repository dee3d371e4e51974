/**
 * Turns an agent's output, line by line, into bus entries and archive rows. write() only
 * enqueues (it is called from stream handlers and must never block them).
 *
 * Batches follow the load: a line written while nothing is in flight goes out after a short
 * timer (10 ms, so the lines of a burst share one append); while an append is in flight, lines
 * collect, and go out together once it returned and the interval since it started is over, or
 * at once when they fill a batch (1,000 lines). At a few lines a second that is one small
 * append each; at 10,000 lines/s about a hundred appends a second; at 200,000 lines as fast as
 * an agent prints, back-to-back appends of 1,000. A line waits at most about the interval plus
 * one append. Appends to the bus run one at a time, so order holds and the bus
 * assigns ids in write order; each batch then joins the archive's own queue under those same
 * ids, so a reader can switch from one to the other. The archive trails the bus (it is the
 * slower of the two) instead of holding it up: live watchers see lines as soon as Redis has
 * them. The archive stays a prefix of the bus (its inserts run in order too), which is what
 * archiveBusTail relies on after a crash.
 *
 * A storage hiccup must not kill an agent run that may have cost minutes and tokens: each
 * batch is retried a few times, and what still fails is reported to the logger with its line
 * count, never dropped without a word.
 */
import type { Logger } from 'pino';
import type { LogArchive } from '../db/log-archive.js';
import { truncateLine } from './truncate-line.js';
import type { BusEntry, LogBus, LogEntryInput, LogStream } from './types.js';

export interface LogWriterOptions {
  bus: LogBus;
  archive: LogArchive;
  sessionId: string;
  flushIntervalMs?: number;
  maxBatchLines?: number;
  /** Longer lines are cut with a marker (see truncateLine). */
  maxLineLength?: number;
  /** Attempts per batch and storage before giving up on it. */
  attempts?: number;
  logger?: Pick<Logger, 'warn' | 'error'>;
}

export interface LogWriterStats {
  /** Lines accepted by write(). */
  written: number;
  /** Lines the bus could not take after all attempts (so not archived either). */
  lostOnBus: number;
  /** Lines on the bus that the archive could not take after all attempts. */
  lostInArchive: number;
}

export interface LogWriter {
  write(stream: LogStream, line: string): void;
  /** Resolves once everything written so far is on the bus and in the archive (or reported). */
  flush(): Promise<void>;
  stats(): LogWriterStats;
}

export function createLogWriter(options: LogWriterOptions): LogWriter {
  const { bus, archive, sessionId, logger } = options;
  const flushIntervalMs = options.flushIntervalMs ?? 10;
  const maxBatchLines = options.maxBatchLines ?? 1000;
  /** Rows per archive insert when the archive has fallen behind the bus. */
  const maxArchiveLines = Math.max(maxBatchLines, 5000);
  const attempts = options.attempts ?? 3;
  const stats: LogWriterStats = { written: 0, lostOnBus: 0, lostInArchive: 0 };
  /** Lines not yet sent to the bus: pending[head…]. */
  let pending: LogEntryInput[] = [];
  let head = 0;
  let timer: NodeJS.Timeout | undefined;
  /** The bus pump's run while it has lines to send; null when idle. */
  let shipping: Promise<void> | null = null;
  /** Entries on the bus, not yet archived, in bus order. */
  let unarchived: BusEntry[] = [];
  let archiving: Promise<void> | null = null;

  function take(): LogEntryInput[] {
    const end = Math.min(pending.length, head + maxBatchLines);
    const batch = pending.slice(head, end);
    head = end;
    if (head >= pending.length) {
      pending = [];
      head = 0;
    }
    return batch;
  }

  function startShipping(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (shipping || pending.length === 0) return;
    shipping = (async () => {
      while (pending.length > 0) {
        const started = Date.now();
        await ship(take());
        // Not full: let the next batch fill for the rest of the interval. A round trip per
        // handful of lines cost the worker four times the CPU per line at 10,000 lines/s.
        const wait = flushIntervalMs - (Date.now() - started);
        if (pending.length > 0 && pending.length - head < maxBatchLines && wait > 0) {
          await new Promise((resolve) => setTimeout(resolve, wait));
        }
      }
    })().finally(() => {
      shipping = null;
      // Written between the loop's last check and now (from a microtask): not left behind.
      if (pending.length > 0) startShipping();
    });
  }

  async function ship(batch: LogEntryInput[]): Promise<void> {
    let ids: string[];
    try {
      ids = await withAttempts(attempts, () => bus.append(sessionId, batch));
    } catch (error) {
      stats.lostOnBus += batch.length;
      logger?.error(
        { err: error, sessionId, lines: batch.length },
        'log lines lost: bus append failed',
      );
      return;
    }
    for (let index = 0; index < batch.length; index += 1) {
      unarchived.push({ ...batch[index]!, id: ids[index]!, sessionId });
    }
    startArchiving();
  }

  function startArchiving(): void {
    if (archiving || unarchived.length === 0) return;
    archiving = archiveAll().finally(() => {
      archiving = null;
      // Appended after the loop's last check and before this ran: archived too.
      startArchiving();
    });
  }

  async function archiveAll(): Promise<void> {
    while (unarchived.length > 0) {
      const entries = unarchived.slice(0, maxArchiveLines);
      unarchived = unarchived.slice(entries.length);
      try {
        await withAttempts(attempts, () => archive.insert(sessionId, entries));
      } catch (error) {
        stats.lostInArchive += entries.length;
        logger?.error(
          { err: error, sessionId, lines: entries.length, firstId: entries[0]?.id },
          'log lines not archived: archive insert failed (they are on the live bus)',
        );
      }
    }
  }

  return {
    write(stream, line) {
      stats.written += 1;
      pending.push({
        kind: 'log',
        stream,
        line: truncateLine(line, options.maxLineLength),
        ts: Date.now(),
      });
      // An append in flight picks these up when it returns.
      if (shipping || timer) return;
      timer = setTimeout(startShipping, flushIntervalMs);
      // Holding the process open is flush()'s job, not a stray timer's.
      timer.unref();
    },
    async flush() {
      startShipping();
      while (shipping || archiving) {
        await shipping;
        await archiving;
      }
    },
    stats: () => ({ ...stats }),
  };
}

async function withAttempts<T>(attempts: number, operation: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}
