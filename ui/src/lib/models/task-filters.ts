/**
 * The Tasks page's filters and their place in the URL (`/tasks?session=7f3k&status=failed`):
 * applied in the browser to the sessions and trees of the page loaded.
 */
import { isTaskStatus, type SessionSummary, type TaskStatus } from '$lib/types/api';
import type { TreeFilter } from './task-tree';

export interface TaskFilters {
  /** Part of a session's id or title. */
  session: string | null;
  status: TaskStatus | null;
  agent: string | null;
}

export const noTaskFilters: TaskFilters = { session: null, status: null, agent: null };

function clean(value: string | null | undefined): string | null {
  const text = value?.trim() ?? '';
  return text === '' ? null : text;
}

export function taskFiltersFromParams(params: URLSearchParams): TaskFilters {
  const status = params.get('status');
  return {
    session: clean(params.get('session')),
    status: isTaskStatus(status) ? status : null,
    agent: clean(params.get('agent')),
  };
}

export function taskFiltersToSearch(filters: TaskFilters): string {
  const params = new URLSearchParams();
  for (const key of ['session', 'status', 'agent'] as const) {
    const value = clean(filters[key]);
    if (value !== null) params.set(key, value);
  }
  const search = params.toString();
  return search === '' ? '' : `?${search}`;
}

export function sameTaskFilters(a: TaskFilters, b: TaskFilters): boolean {
  return (
    clean(a.session) === clean(b.session) &&
    a.status === b.status &&
    clean(a.agent) === clean(b.agent)
  );
}

/** The session text filter: a case-insensitive part of the id or the title. */
export function sessionMatches(session: SessionSummary, filters: TaskFilters): boolean {
  const text = clean(filters.session)?.toLowerCase();
  if (!text) return true;
  return session.id.includes(text) || session.title.toLowerCase().includes(text);
}

export function treeFilterOf(filters: TaskFilters): TreeFilter {
  return { status: filters.status, agent: clean(filters.agent) };
}
