/**
 * The audit trail in Postgres: who (token id, name, role) did what (`session.stop`,
 * `token.create`, …) to which thing, when, in which request. Rows are only ever appended; the
 * gateway writes them and admins read them through GET /api/audit.
 */
import { sql, type Kysely } from 'kysely';
import type { ApiTokenRole } from './api-tokens.js';
import type { Database } from './schema.js';

export interface AuditActor {
  /** The API token's id; null when authentication is off (the local user). */
  tokenId: string | null;
  name: string;
  role: ApiTokenRole;
}

export interface AuditEventInput {
  actor: AuditActor;
  /** `<resource>.<verb>`, e.g. `session.start`, `agent.update`, `token.revoke`. */
  action: string;
  /** What was acted on: a session id, an agent name, a token id; null if nothing named. */
  target: string | null;
  /** A few facts about the action. Never put a secret here: the trail is kept forever. */
  detail?: Record<string, unknown>;
  requestId?: string | null;
  clientIp?: string | null;
}

export interface AuditEvent extends Required<Omit<AuditEventInput, 'requestId' | 'clientIp'>> {
  id: number;
  at: Date;
  requestId: string | null;
  clientIp: string | null;
}

export interface ListAuditOptions {
  /** Only events older than this id (the previous page's `nextBefore`). */
  before?: number;
  limit: number;
  action?: string;
  actorTokenId?: string;
}

export interface AuditLog {
  record(event: AuditEventInput): Promise<AuditEvent>;
  /** Newest first. */
  list(options: ListAuditOptions): Promise<AuditEvent[]>;
}

export const AUDIT_ACTION_PATTERN = /^[a-z][a-z-]*\.[a-z][a-z-]*$/;

export function createAuditLog(db: Kysely<Database>): AuditLog {
  return {
    async record(event) {
      if (!AUDIT_ACTION_PATTERN.test(event.action)) {
        throw new Error(
          `Audit action "${event.action}" is not of the form <resource>.<verb> (e.g. session.stop)`,
        );
      }
      const row = await db
        .insertInto('audit_events')
        .values({
          actor_token_id: event.actor.tokenId,
          actor_name: event.actor.name,
          actor_role: event.actor.role,
          action: event.action,
          target: event.target,
          // As JSON text with a cast: pg and PGlite serialise a bound object differently.
          detail: sql<string>`${JSON.stringify(event.detail ?? {})}::jsonb`,
          request_id: event.requestId ?? null,
          client_ip: event.clientIp ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toAuditEvent(row);
    },

    async list(options) {
      let query = db
        .selectFrom('audit_events')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(options.limit);
      if (options.before !== undefined) query = query.where('id', '<', String(options.before));
      if (options.action) query = query.where('action', '=', options.action);
      if (options.actorTokenId) query = query.where('actor_token_id', '=', options.actorTokenId);
      return (await query.execute()).map(toAuditEvent);
    },
  };
}

function toAuditEvent(row: {
  id: string | number;
  at: Date;
  actor_token_id: string | null;
  actor_name: string;
  actor_role: ApiTokenRole;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
  request_id: string | null;
  client_ip: string | null;
}): AuditEvent {
  return {
    id: Number(row.id),
    at: row.at,
    actor: { tokenId: row.actor_token_id, name: row.actor_name, role: row.actor_role },
    action: row.action,
    target: row.target,
    detail: row.detail,
    requestId: row.request_id,
    clientIp: row.client_ip,
  };
}
