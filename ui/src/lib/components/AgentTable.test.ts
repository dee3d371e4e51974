import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import { agentView } from '$lib/testing/fixtures';
import AgentTable from './AgentTable.svelte';

const noop = () => {};

function rows(body: string): string[] {
  return body.split('data-testid="agent-row"').slice(1);
}

describe('AgentTable', () => {
  it('shows kind, model, capabilities, tier, availability with its reason, and live load', () => {
    const { body } = render(AgentTable, {
      props: {
        loaded: true,
        onedit: noop,
        ondelete: noop,
        selected: 'claude',
        agents: [
          agentView('claude', {
            kind: 'claude-code',
            model: 'sonnet',
            capabilities: ['code', 'review'],
            tier: { level: 'elite', successRate: 0.97, steps: 120 },
            load: { running: 2, backlog: 5, pollers: 1, slots: 2 },
          }),
          agentView('broken', {
            tier: { level: 'degraded', successRate: 0.2, steps: 10 },
            availability: {
              available: false,
              reason: 'claude not found on PATH',
              workers: 0,
              version: null,
            },
          }),
        ],
      },
    });
    const [claude, broken] = rows(body);
    expect(claude).toContain('aria-current="true"');
    expect(claude).toContain('claude-code');
    expect(claude).toContain('sonnet');
    expect(claude).toMatch(/chip[^>]*>code</);
    expect(claude).toMatch(/chip[^>]*>review</);
    expect(claude).toContain('data-tier="elite"');
    expect(claude).toContain('97%');
    expect(claude).toContain('data-running="2"');
    expect(claude).toContain('data-slots="2"');
    expect(claude).toContain('+5 queued');
    expect(broken).toContain('data-available="false"');
    expect(broken).toContain('claude not found on PATH');
    expect(broken).toContain('data-tier="degraded"');
  });

  it('shows a dash for facts an older gateway does not report', () => {
    const { body } = render(AgentTable, {
      props: {
        loaded: true,
        onedit: noop,
        ondelete: noop,
        agents: [agentView('old', { tier: null, availability: null, load: null })],
      },
    });
    const [row] = rows(body);
    expect(row).not.toContain('data-tier');
    expect(row).not.toContain('data-available');
    expect(row).toContain('does not report this agent’s load'.replace('’', "'"));
  });

  it('says whether the list is loading or empty', () => {
    const props = { agents: [], onedit: noop, ondelete: noop };
    expect(render(AgentTable, { props: { ...props, loaded: false } }).body).toContain(
      'Loading agents',
    );
    expect(render(AgentTable, { props: { ...props, loaded: true } }).body).toContain(
      'No agents yet',
    );
  });
});
