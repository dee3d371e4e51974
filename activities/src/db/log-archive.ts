/**
 * The log archive in Postgres: every log line a session produced, for reading history after the
 * live bus has trimmed it (or after a Redis restart). Status entries stay on the bus only: the
 * status itself lives in Temporal.
 */
import { sql, type Kysely } from 'kysely';
import { parseEntryId } from '../logs/entry-id.js';
import type { BusEntry, LogStream } from '../logs/types.js';
import type { Database } from './schema.js';

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

/**
 * Rows per INSERT. The rows go as one array per column (unnest), so a statement has six
 * parameters whatever its size; the chunk only bounds one statement's work.
 */
const INSERT_CHUNK = 5000;

export function createLogArchive(db: Kysely<Database>): LogArchive {
  return {
    async insert(sessionId, entries) {
      const lines = entries.filter((entry) => entry.kind === 'log');
      for (let start = 0; start < lines.length; start += INSERT_CHUNK) {
        const chunk = lines.slice(start, start + INSERT_CHUNK);
        const ids: string[] = [];
        const ms: number[] = [];
        const seq: number[] = [];
        const streams: LogStream[] = [];
        const texts: string[] = [];
        const times: number[] = [];
        for (const entry of chunk) {
          const id = parseEntryId(entry.id);
          ids.push(entry.id);
          ms.push(id.ms);
          seq.push(id.seq);
          streams.push(entry.stream);
          texts.push(withoutNul(entry.line));
          times.push(entry.ts);
        }
        // Column arrays rather than a VALUES row per line: the archive's share of the worker's
        // CPU at high log rates was mostly building and sending those rows one by one (bench).
        await sql`
          INSERT INTO log_lines (session_id, entry_id, ms, seq, stream, line, ts)
          SELECT ${sessionId}, entry_id, ms, seq, stream, line, to_timestamp(ts / 1000.0)
          FROM unnest(
            ${ids}::text[], ${ms}::bigint[], ${seq}::integer[],
            ${streams}::text[], ${texts}::text[], ${times}::float8[]
          ) AS row (entry_id, ms, seq, stream, line, ts)
          ON CONFLICT (session_id, ms, seq) DO NOTHING
        `.execute(db);
        // (An activity retry re-sends what it already archived: the first copy is kept.)
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
