import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import { sessionSummary } from '$lib/testing/fixtures';
import SessionTable from './SessionTable.svelte';

describe('SessionTable', () => {
  it('links each session to its page with its status, agent, tokens and duration', () => {
    const { body } = render(SessionTable, {
      props: {
        loaded: true,
        items: [
          sessionSummary('abc', {
            status: 'failed',
            tokensUsed: 25_000,
            closedAt: '2025-01-01T00:03:07Z',
          }),
          sessionSummary('def'),
        ],
      },
    });
    const [abc, def] = body.split('data-testid="session-row"').slice(1);
    expect(abc).toContain('data-session-id="abc"');
    expect(abc).toContain('href="/sessions/abc"');
    expect(abc).toContain('data-status="failed"');
    expect(abc).toContain('25k');
    expect(abc).toContain('3m 07s');
    expect(def).toContain('open');
  });

  it('marks the sessions that planned a task tree, from the list alone', () => {
    const { body } = render(SessionTable, {
      props: {
        loaded: true,
        items: [
          sessionSummary('tree', { planned: true }),
          sessionSummary('one', { planned: false }),
        ],
      },
    });
    const [tree, one] = body.split('data-testid="session-row"').slice(1);
    expect(tree).toContain('data-planned="true"');
    expect(tree).toContain('data-testid="session-planned"');
    expect(tree).toContain('planned into a task tree');
    expect(one).toContain('data-planned="false"');
    expect(one).not.toContain('session-planned');
  });

  it('tells an empty list from an empty filter result', () => {
    expect(render(SessionTable, { props: { loaded: true, items: [] } }).body).toContain(
      'No sessions yet',
    );
    expect(
      render(SessionTable, { props: { loaded: true, items: [], filtered: true } }).body,
    ).toContain('No sessions match these filters');
  });
});
