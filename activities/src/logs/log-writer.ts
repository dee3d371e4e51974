/**
 * Turns an agent's output, line by line, into bus entries and archive rows. write() only
 * enqueues (it is called from stream handlers and must never block them); batches go out every
 * ~100 ms or 200 lines, one at a time so order holds: first to the bus, which assigns the ids,
 * then to the archive under those same ids, so a reader can switch from one to the other.
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
  const flushIntervalMs = options.flushIntervalMs ?? 100;
  const maxBatchLines = options.maxBatchLines ?? 200;
  const attempts = options.attempts ?? 3;
  const stats: LogWriterStats = { written: 0, lostOnBus: 0, lostInArchive: 0 };
  let pending: LogEntryInput[] = [];
  let timer: NodeJS.Timeout | undefined;
  /** The tail of the shipping queue: batches run strictly one after another. */
  let shipping: Promise<void> = Promise.resolve();

  function drain(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    while (pending.length > 0) {
      const batch = pending.slice(0, maxBatchLines);
      pending = pending.slice(maxBatchLines);
      shipping = shipping.then(() => ship(batch));
    }
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
    const entries: BusEntry[] = batch.map((entry, index) => ({
      ...entry,
      id: ids[index]!,
      sessionId,
    }));
    try {
      await withAttempts(attempts, () => archive.insert(sessionId, entries));
    } catch (error) {
      stats.lostInArchive += batch.length;
      logger?.error(
        { err: error, sessionId, lines: batch.length, firstId: ids[0] },
        'log lines not archived: archive insert failed (they are on the live bus)',
      );
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
      if (pending.length >= maxBatchLines) drain();
      else if (!timer) {
        timer = setTimeout(drain, flushIntervalMs);
        // Holding the process open is flush()'s job, not a stray timer's.
        timer.unref();
      }
    },
    async flush() {
      drain();
      await shipping;
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
