/**
 * The session list's filters as a Temporal visibility query. Every value a client sends is
 * quoted here, so a filter can only ever narrow the list, never change the query's shape.
 */
import type { SessionStatus } from '@orchestrator/workflows/client';
import { statusQuery } from './status.js';

export interface SessionFilters {
  status?: SessionStatus | undefined;
  /** Exact agent name (the AgentName search attribute). */
  agent?: string | undefined;
  /** Exact repository as the session was started with (the Repository search attribute). */
  repository?: string | undefined;
  /** Free text: a prefix of the session id, the agent name or the repository. */
  q?: string | undefined;
  /** ISO 8601 instants: only sessions started / closed at or after them. */
  startedAfter?: string | undefined;
  closedAfter?: string | undefined;
}

/**
 * A visibility string literal. Temporal's SQL-like parser reads backslash escapes inside single
 * quotes, so both the backslash and the quote are escaped.
 */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The fields a text search looks at, each matched by prefix (Keyword attributes). */
function textQuery(q: string): string {
  const value = q.trim();
  return (
    `(WorkflowId STARTS_WITH ${quote(`session-${value}`)}` +
    ` OR AgentName STARTS_WITH ${quote(value)}` +
    ` OR Repository STARTS_WITH ${quote(value)})`
  );
}

export function visibilityQuery(filters: SessionFilters): string {
  const clauses = [`WorkflowType = 'session'`];
  if (filters.status) clauses.push(statusQuery(filters.status));
  if (filters.agent) clauses.push(`AgentName = ${quote(filters.agent)}`);
  if (filters.repository) clauses.push(`Repository = ${quote(filters.repository)}`);
  if (filters.q?.trim()) clauses.push(textQuery(filters.q));
  if (filters.startedAfter) {
    clauses.push(`StartTime >= ${quote(new Date(filters.startedAfter).toISOString())}`);
  }
  if (filters.closedAfter) {
    clauses.push(`CloseTime >= ${quote(new Date(filters.closedAfter).toISOString())}`);
  }
  return clauses.join(' AND ');
}

/**
 * A stable string naming the filter a cursor was issued for: a page token only makes sense for
 * the query it came from.
 */
export function filterKey(filters: SessionFilters): string {
  const entries: [string, string][] = [];
  for (const key of [
    'status',
    'agent',
    'repository',
    'q',
    'startedAfter',
    'closedAfter',
  ] as const) {
    const value = filters[key];
    if (value) entries.push([key, value]);
  }
  return entries.length === 0 ? '' : JSON.stringify(entries);
}
