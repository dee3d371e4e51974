/**
 * The log archive in Postgres: every log line a session produced, for reading history after the
 * live bus has trimmed it (or after a Redis restart). Status entries stay on the bus only: the
 * status itself lives in Temporal.
 */
import { sql, type Kysely } from 'kysely';
import { parseEntryId } from '../logs/entry-id.js';
import type { BusEntry, LogStream } from '../logs/types.js';
import type { Database, NewLogLineRow } from './schema.js';

export interface ArchivedLogLine {
  id: string;
  stream: LogStream;
  line: string;
  /** Epoch milliseconds. */
  ts: number;
}

export interface ListLogLinesOptions {
  /** Exclusive lower bound (an entry id); omitted means from the first line. */
  after?: string;
  limit: number;
}

export interface LogArchive {
  /** Stores log entries (other kinds are ignored); entries already stored are skipped. */
  insert(sessionId: string, entries: BusEntry[]): Promise<void>;
  /** Lines of a session in bus order. */
  list(sessionId: string, options: ListLogLinesOptions): Promise<ArchivedLogLine[]>;
  /** Id of the session's newest archived line; null when none is archived. */
  lastId(sessionId: string): Promise<string | null>;
}

/** Rows per INSERT: 7 parameters a row stays far below Postgres' 65535-parameter limit. */
const INSERT_CHUNK = 1000;

export function createLogArchive(db: Kysely<Database>): LogArchive {
  return {
    async insert(sessionId, entries) {
      const rows: NewLogLineRow[] = [];
      for (const entry of entries) {
        if (entry.kind !== 'log') continue;
        const { ms, seq } = parseEntryId(entry.id);
        rows.push({
          session_id: sessionId,
          entry_id: entry.id,
          ms,
          seq,
          stream: entry.stream,
          line: withoutNul(entry.line),
          ts: new Date(entry.ts),
        });
      }
      for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
        await db
          .insertInto('log_lines')
          .values(rows.slice(start, start + INSERT_CHUNK))
          // An activity retry re-sends what it already archived: keep the first copy.
          .onConflict((conflict) => conflict.columns(['session_id', 'ms', 'seq']).doNothing())
          .execute();
      }
    },

    async list(sessionId, { after, limit }) {
      let query = db
        .selectFrom('log_lines')
        .select(['entry_id', 'stream', 'line', 'ts'])
        .where('session_id', '=', sessionId);
      if (after !== undefined) {
        const { ms, seq } = parseEntryId(after);
        // A row comparison walks the (session_id, ms, seq) primary key index.
        query = query.where(sql<boolean>`(ms, seq) > (${ms}, ${seq})`);
      }
      const rows = await query.orderBy('ms').orderBy('seq').limit(limit).execute();
      return rows.map((row) => ({
        id: row.entry_id,
        stream: row.stream,
        line: row.line,
        ts: row.ts.getTime(),
      }));
    },

    async lastId(sessionId) {
      const row = await db
        .selectFrom('log_lines')
        .select('entry_id')
        .where('session_id', '=', sessionId)
        .orderBy('ms', 'desc')
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row?.entry_id ?? null;
    },
  };
}

/** Postgres text cannot hold NUL; an agent printing one must not lose the whole batch. */
function withoutNul(line: string): string {
  return line.includes('\u0000') ? line.replaceAll('\u0000', '\uFFFD') : line;
}
