import { describe, expect, it } from 'vitest';
import {
  filtersFromParams,
  filtersToSearch,
  isFiltered,
  noFilters,
  sameFilters,
} from './session-filters';

describe('session filters in the URL', () => {
  it('round-trips through the query string, leaving out empty filters', () => {
    const filters = { status: 'failed', agent: 'echo', repository: '/srv/a b', q: 'x&y' } as const;
    const search = filtersToSearch(filters);
    expect(search).toBe('?status=failed&agent=echo&repository=%2Fsrv%2Fa+b&q=x%26y');
    expect(filtersFromParams(new URLSearchParams(search))).toEqual(filters);
    expect(filtersToSearch({ ...noFilters, q: '   ' })).toBe('');
  });

  it('ignores an unknown status and blank values', () => {
    expect(filtersFromParams(new URLSearchParams('status=sleeping&agent=&q=%20'))).toEqual(
      noFilters,
    );
  });

  it('compares filters by what they select', () => {
    expect(sameFilters(noFilters, { ...noFilters, q: '' })).toBe(true);
    expect(sameFilters(noFilters, { ...noFilters, agent: 'echo' })).toBe(false);
    expect(isFiltered(noFilters)).toBe(false);
    expect(isFiltered({ ...noFilters, repository: '/r' })).toBe(true);
  });
});
