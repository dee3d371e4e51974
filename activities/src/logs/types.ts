/**
 * The log bus: live log lines and status events of one session, in order, with ids a client
 * can resume from. Redis Streams in production, in-process for the embedded default.
 */
import type { SessionStatus } from '@orchestrator/workflows/types';

export type LogStream = 'stdout' | 'stderr' | 'system';

export interface LogEntryInput {
  kind: 'log';
  stream: LogStream;
  line: string;
  /** Epoch milliseconds when the line was produced. */
  ts: number;
}
export interface StatusEntryInput {
  kind: 'status';
  status: SessionStatus;
  detail?: string;
  ts: number;
}
export type BusEntryInput = LogEntryInput | StatusEntryInput;

/**
 * An entry as stored. `id` has the Redis stream id form `<ms>-<seq>`; ids of one session only
 * grow, so "everything after id X" is well defined on both implementations.
 */
export type BusEntry = BusEntryInput & { id: string; sessionId: string };

export interface ReadOptions {
  /** Exclusive lower bound; omitted means from the beginning. */
  after?: string;
  limit?: number;
}

export interface LogBus {
  /** Appends entries in order and returns their ids. */
  append(sessionId: string, entries: BusEntryInput[]): Promise<string[]>;
  /** Entries after `after`, oldest first. */
  read(sessionId: string, options?: ReadOptions): Promise<BusEntry[]>;
  /**
   * Delivers every entry after `after` (the backlog), then live entries as they are appended,
   * each exactly once and in order, until the returned function is called.
   */
  subscribe(
    sessionId: string,
    after: string | undefined,
    onEntry: (entry: BusEntry) => void,
  ): () => void;
  /** Health check for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
