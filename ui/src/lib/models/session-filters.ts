/**
 * The sessions page's filters and their place in the URL (`/sessions?status=failed&agent=echo`),
 * so a filtered list can be linked, bookmarked and reached with the back button.
 */
import { isSessionStatus, type SessionStatus } from '$lib/types/api';

export interface ListFilters {
  status: SessionStatus | null;
  agent: string | null;
  repository: string | null;
  /** Text search, as typed. */
  q: string | null;
}

export const noFilters: ListFilters = { status: null, agent: null, repository: null, q: null };

const KEYS = ['status', 'agent', 'repository', 'q'] as const;

function clean(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return value.trim() === '' ? null : value;
}

export function filtersFromParams(params: URLSearchParams): ListFilters {
  const status = params.get('status');
  return {
    status: isSessionStatus(status) ? status : null,
    agent: clean(params.get('agent')),
    repository: clean(params.get('repository')),
    q: clean(params.get('q')),
  };
}

/** The query string for a set of filters, without the empty ones ('' when none). */
export function filtersToSearch(filters: ListFilters): string {
  const params = new URLSearchParams();
  for (const key of KEYS) {
    const value = clean(filters[key]);
    if (value !== null) params.set(key, value);
  }
  const search = params.toString();
  return search === '' ? '' : `?${search}`;
}

export function sameFilters(a: ListFilters, b: ListFilters): boolean {
  return KEYS.every((key) => clean(a[key]) === clean(b[key]));
}

export function isFiltered(filters: ListFilters): boolean {
  return KEYS.some((key) => clean(filters[key]) !== null);
}
