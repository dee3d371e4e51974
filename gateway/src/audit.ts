/**
 * The gateway's side of the audit trail: `audit.record(req, action, target, detail)` after a
 * request did something worth answering for. The actor (token id, name, role), the request id
 * and the client address come from the request, so a route names only what it did.
 *
 * Recording happens after the action succeeded, and a failure to record does not fail the
 * request (the session is already stopped; answering 500 would invite a retry of something
 * done): it is logged at error level with the whole event, so it is not lost either.
 */
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { AuditEventInput } from '@orchestrator/activities/db/audit-log';
import { LOCAL_PRINCIPAL, principalOf, type Principal } from './auth.js';

/**
 * Who made a request, as the audit trail records it and as a workflow records a decision's
 * `by`: the token's principal, or the local user of a gateway without authentication.
 */
export function actorOf(req: IncomingMessage): Principal {
  return principalOf(req) ?? LOCAL_PRINCIPAL;
}

/**
 * The actions the gateway records. `<resource>.<verb>`; add new ones here as routes appear.
 */
export const AUDIT_ACTIONS = [
  'session.start',
  'session.stop',
  'session.retry',
  'session.approve',
  'session.reject',
  'session.fork',
  'session.pause',
  'session.resume',
  'session.budget',
  'agent.create',
  'agent.update',
  'agent.delete',
  'token.create',
  'token.revoke',
  'access.deny',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Where events go: the Postgres audit log (Storage.audit) or anything with its record(). */
export interface AuditSink {
  record(event: AuditEventInput): Promise<unknown>;
}

export interface AuditRecorder {
  record(
    req: IncomingMessage & { id?: unknown; ip?: string | undefined },
    action: AuditAction,
    target: string | null,
    detail?: Record<string, unknown>,
  ): Promise<void>;
}

export function createAuditRecorder(sink: AuditSink, logger: Logger): AuditRecorder {
  return {
    async record(req, action, target, detail = {}) {
      const event: AuditEventInput = {
        actor: actorOf(req),
        action,
        target,
        detail,
        requestId: req.id === undefined ? null : String(req.id),
        clientIp: req.ip ?? req.socket?.remoteAddress ?? null,
      };
      try {
        await sink.record(event);
      } catch (error) {
        logger.error({ err: error, audit: event }, 'audit event could not be recorded');
      }
    },
  };
}
