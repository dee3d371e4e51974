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
  /**
   * Free text: a prefix of the session id, the agent name or the repository, or words of the
   * title (every word, whole, in any order; the SessionTitle search attribute).
   */
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

/** At most this many words of a search are looked up in titles (the rest are ignored). */
export const MAX_TITLE_WORDS = 8;

/**
 * The words of a search as the visibility store's full-text index splits a title: runs of
 * letters, digits and combining marks, lowercased, each once. Nothing else reaches the index's
 * own query syntax (SQLite's FTS5 refuses a stray `"` with an error the client retries for
 * seconds), and an empty word is never sent (visibility refuses `SessionTitle = ''`).
 */
export function titleWords(q: string): string[] {
  const words =
    q
      .normalize('NFC')
      .toLowerCase()
      .match(/[\p{L}\p{N}\p{M}]+/gu) ?? [];
  return [...new Set(words)].slice(0, MAX_TITLE_WORDS);
}

/**
 * The fields a text search looks at: the id, agent and repository by prefix (Keyword
 * attributes), the title by words. A Text attribute's `=` matches a title holding any one word
 * of the value, so each word is its own clause and all of them must match. Sessions started
 * before SessionTitle existed have none and match by the prefixes only.
 */
function textQuery(q: string): string {
  const value = q.trim();
  const prefixes = [
    `WorkflowId STARTS_WITH ${quote(`session-${value}`)}`,
    `AgentName STARTS_WITH ${quote(value)}`,
    `Repository STARTS_WITH ${quote(value)}`,
  ];
  const words = titleWords(value);
  if (words.length > 0) {
    prefixes.push(`(${words.map((word) => `SessionTitle = ${quote(word)}`).join(' AND ')})`);
  }
  return `(${prefixes.join(' OR ')})`;
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
