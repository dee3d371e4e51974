import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import { noFilters } from '$lib/models/session-filters';
import { noTaskFilters } from '$lib/models/task-filters';
import SessionFilterBar from './SessionFilterBar.svelte';
import TaskFilterBar from './TaskFilterBar.svelte';

describe('filter bars', () => {
  it('offers the filtered agent even when the registry no longer lists it', () => {
    const { body } = render(SessionFilterBar, {
      props: { filters: { ...noFilters, agent: 'gone' }, agents: ['echo'], onchange: () => {} },
    });
    expect(body).toContain('role="search"');
    expect(body).toContain('aria-label="Filter sessions"');
    for (const id of ['session-search', 'status-filter', 'agent-filter', 'repository-filter']) {
      expect(body).toContain(`data-testid="${id}"`);
    }
    expect(body).toContain('<option value="gone"');
    expect(body).toMatch(/data-testid="clear-filters"(?![^>]*disabled)/);
  });

  it('keeps Clear disabled with nothing filtered, and the session box is the page search', () => {
    const { body } = render(TaskFilterBar, {
      props: { filters: noTaskFilters, agents: ['writer'], onchange: () => {} },
    });
    expect(body).toMatch(/<input[^>]*type="search"[^>]*data-testid="task-session-filter"/);
    expect(body).toContain('data-shortcut="search"');
    expect(body).toMatch(/data-testid="task-clear-filters"[^>]*disabled/);
  });
});
