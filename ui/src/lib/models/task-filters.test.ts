import { describe, expect, it } from 'vitest';
import { sessionSummary } from '$lib/testing/fixtures';
import {
  noTaskFilters,
  sameTaskFilters,
  sessionMatches,
  taskFiltersFromParams,
  taskFiltersToSearch,
  treeFilterOf,
} from './task-filters';

describe('task page filters', () => {
  it('round-trips through the URL, dropping unknown statuses and empty values', () => {
    const filters = taskFiltersFromParams(
      new URLSearchParams('session=7f3k&status=skipped&agent=writer'),
    );
    expect(filters).toEqual({ session: '7f3k', status: 'skipped', agent: 'writer' });
    expect(taskFiltersToSearch(filters)).toBe('?session=7f3k&status=skipped&agent=writer');
    expect(taskFiltersFromParams(new URLSearchParams('status=done&agent=%20'))).toEqual(
      noTaskFilters,
    );
    expect(taskFiltersToSearch(noTaskFilters)).toBe('');
    expect(sameTaskFilters({ ...noTaskFilters, session: ' ' }, noTaskFilters)).toBe(true);
  });

  it('matches a session by part of its id or title, case-insensitively', () => {
    const session = sessionSummary('abc123', { title: 'Three Files' });
    expect(sessionMatches(session, { ...noTaskFilters, session: 'c12' })).toBe(true);
    expect(sessionMatches(session, { ...noTaskFilters, session: 'files' })).toBe(true);
    expect(sessionMatches(session, { ...noTaskFilters, session: 'zzz' })).toBe(false);
    expect(treeFilterOf({ session: 'x', status: 'failed', agent: null })).toEqual({
      status: 'failed',
      agent: null,
    });
  });
});
