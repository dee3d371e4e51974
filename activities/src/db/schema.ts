/**
 * The Postgres tables as kysely sees them. Migrations (./migrations) create them; keep both in
 * step. Column types say what a query returns on both drivers (pg and PGlite).
 */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { LogStream } from '../logs/types.js';

export interface Database {
  log_lines: LogLinesTable;
  api_tokens: ApiTokensTable;
}

/**
 * Archived log lines. Keyed by the bus id split into numbers, (ms, seq), so ordering and
 * "after id" are numeric and an activity retry that inserts the same entries is a no-op.
 */
export interface LogLinesTable {
  session_id: string;
  /** The bus id as written (`<ms>-<seq>`), returned to clients as is. */
  entry_id: string;
  /** bigint: pg returns it as a string, PGlite as a number. Queries never read it back. */
  ms: ColumnType<string | number, number, never>;
  seq: ColumnType<number, number, never>;
  stream: LogStream;
  line: string;
  ts: ColumnType<Date, Date, never>;
}

/** API tokens, stored as sha256 hashes: the plaintext exists only in the create() response. */
export interface ApiTokensTable {
  id: string;
  name: string;
  token_hash: string;
  created_at: Generated<Date>;
  last_used_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  revoked_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export type LogLineRow = Selectable<LogLinesTable>;
export type NewLogLineRow = Insertable<LogLinesTable>;
export type ApiTokenRow = Selectable<ApiTokensTable>;
