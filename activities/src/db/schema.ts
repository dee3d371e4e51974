/**
 * The Postgres tables as kysely sees them. Migrations (./migrations) create them; keep both in
 * step. Column types say what a query returns on both drivers (pg and PGlite).
 */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { LogStream } from '../logs/types.js';
import type { AgentConfig } from '../agents/types.js';
import type { ApiTokenRole } from './api-tokens.js';

export interface Database {
  log_lines: LogLinesTable;
  api_tokens: ApiTokensTable;
  agents: AgentsTable;
  agent_registry_seed: AgentRegistrySeedTable;
  agent_workers: AgentWorkersTable;
  agent_steps: AgentStepsTable;
  audit_events: AuditEventsTable;
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
  /** viewer, operator or admin (checked by the database). */
  role: ApiTokenRole;
  created_at: Generated<Date>;
  last_used_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  revoked_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/** The agent registry: one row per agent, its whole (validated, secret-free) configuration. */
export interface AgentsTable {
  name: string;
  kind: string;
  /** jsonb: the flat configuration as AGENTS_FILE and the API take it. */
  config: ColumnType<AgentConfig, string, string>;
  created_at: Generated<Date>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface AgentRegistrySeedTable {
  id: number;
  /** Where the seeds came from (AGENTS_FILE path or "defaults"). */
  source: string;
  seeded_at: Generated<Date>;
}

/**
 * What each live worker found when it checked an agent (binary, version, key), refreshed while
 * it runs: an agent is available when a recently seen worker can run it.
 */
export interface AgentWorkersTable {
  worker_id: string;
  agent: string;
  available: boolean;
  reason: string | null;
  version: string | null;
  /** The worker's activity slots for the agent (its maxConcurrency). */
  slots: number;
  checked_at: ColumnType<Date, Date | undefined, Date>;
}

export type StepOutcome =
  | 'succeeded'
  | 'failed'
  | 'stalled'
  | 'model_error'
  | 'cancelled'
  /** The worker died mid-attempt (found when the retry starts). */
  | 'lost';

/** The usage ledger: one row per attempt of an agent step, its outcome, tokens and cost. */
export interface AgentStepsTable {
  /** `<workflowId>/<runId>/<activityId>/<attempt>`: a re-delivered attempt is one row. */
  id: string;
  session_id: string;
  workflow_id: string;
  run_id: string;
  activity_id: string;
  attempt: number;
  agent: string;
  worker_id: string;
  started_at: Generated<Date>;
  finished_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  outcome: ColumnType<StepOutcome | null, StepOutcome | null | undefined, StepOutcome | null>;
  error_type: ColumnType<string | null, string | null | undefined, string | null>;
  /** bigint: pg returns a string, PGlite a number; read through Number(). */
  input_tokens: ColumnType<string | number, number | undefined, number>;
  output_tokens: ColumnType<string | number, number | undefined, number>;
  cache_read_tokens: ColumnType<string | number, number | undefined, number>;
  cache_write_tokens: ColumnType<string | number, number | undefined, number>;
  cost_usd: ColumnType<number | null, number | null | undefined, number | null>;
}

/** The audit trail: who did what to which thing, when, in which request. Append-only. */
export interface AuditEventsTable {
  /** bigint identity: pg returns it as a string, PGlite as a number; read through Number(). */
  id: Generated<string | number>;
  at: Generated<Date>;
  /** The API token's id; null when authentication is off (the local user). */
  actor_token_id: string | null;
  actor_name: string;
  actor_role: ApiTokenRole;
  /** `<resource>.<verb>`, e.g. `session.stop`, `token.create`. */
  action: string;
  /** What was acted on (a session id, an agent name, a token id), if anything. */
  target: string | null;
  /** jsonb: a few facts about the action (never a secret). Inserted as JSON text. */
  detail: ColumnType<Record<string, unknown>, string | undefined, never>;
  request_id: string | null;
  client_ip: string | null;
}

export type LogLineRow = Selectable<LogLinesTable>;
export type NewLogLineRow = Insertable<LogLinesTable>;
export type ApiTokenRow = Selectable<ApiTokensTable>;
