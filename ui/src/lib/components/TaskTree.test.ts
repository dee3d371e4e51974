import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import { taskNode } from '$lib/testing/fixtures';
import { TreeExpansion } from '$lib/stores/tree-expansion.svelte';
import TaskTree from './TaskTree.svelte';

const nodes = [
  taskNode('1', {
    title: 'backend',
    agent: 'planner',
    usage: { tokens: 1000, costUsd: 0.1 },
    children: [
      taskNode('1.1', { title: 'api', usage: { tokens: 2000, costUsd: 0.2 } }),
      taskNode('1.2', {
        title: 'db',
        status: 'failed',
        error: 'exit 3',
        usage: { tokens: 500, costUsd: 0.05 },
      }),
    ],
  }),
  taskNode('2', { title: 'docs', status: 'skipped', agent: null, temporalUrl: null }),
];

/** The rendered nodes in document order, each with the attributes the tests read. */
function rendered(body: string) {
  return [
    ...body.matchAll(/data-testid="task-node" data-path="([^"]+)" data-status="([^"]+)"/g),
  ].map(([, path, status]) => ({ path, status }));
}

describe('TaskTree', () => {
  it('badges a running task whose step waits for a permit as queued', () => {
    const { body } = render(TaskTree, {
      props: {
        nodes: [
          taskNode('1', { status: 'running', waitingForStep: true }),
          taskNode('2', { status: 'running' }),
        ],
        expansion: new TreeExpansion(),
      },
    });
    const [first, second] = body.split('data-testid="task-node"').slice(1);
    expect(first).toContain('data-status="running"');
    expect(first).toContain('data-queued="true"');
    expect(first).toContain('>queued</span>');
    expect(first).toContain('status-queued');
    expect(second).toContain('data-queued="false"');
    expect(second).toContain('>running</span>');
  });

  it('nests children under their parent, in plan order, with status, agent and usage', () => {
    const { body } = render(TaskTree, { props: { nodes, expansion: new TreeExpansion() } });
    expect(rendered(body)).toEqual([
      { path: '1', status: 'completed' },
      { path: '1.1', status: 'completed' },
      { path: '1.2', status: 'failed' },
      { path: '2', status: 'skipped' },
    ]);
    // Node 1's list item holds its children's: the nesting is in the markup, not only indents.
    const first = body.slice(body.indexOf('data-path="1"'), body.indexOf('data-path="2"'));
    expect(first).toContain('data-path="1.1"');
    expect(first).toContain('data-path="1.2"');
    expect(first).toContain('aria-expanded="true"');
    // Own usage, and the subtree's: 1000 + 2000 + 500 tokens.
    expect(first).toMatch(/data-testid="task-usage"[^>]*>1.0k · \$0.1000/);
    expect(first).toMatch(/data-testid="task-subtree-usage"[^>]*>Σ 3.5k · \$0.3500/);
    expect(first).toContain('exit 3');
    expect(first).toContain('href="http://temporal/session-s1.1.2"');
  });

  it('hides the children of a collapsed node and says it can expand', () => {
    const expansion = new TreeExpansion();
    expansion.toggle('1');
    const { body } = render(TaskTree, { props: { nodes, expansion } });
    expect(rendered(body).map((n) => n.path)).toEqual(['1', '2']);
    expect(body).toContain('aria-expanded="false"');
    expect(body).toContain('aria-label="Expand task 1"');
  });

  it('links each node to its session on the Tasks page and dims nodes kept as context', () => {
    const { body } = render(TaskTree, {
      props: {
        nodes,
        expansion: new TreeExpansion(),
        sessionId: 'abc',
        matched: new Set(['1.2']),
      },
    });
    expect(body.match(/data-testid="task-session-link" href="\/sessions\/abc"/g)).toHaveLength(4);
    expect(body.match(/class="row[^"]*context/g)).toHaveLength(3);
  });

  it('says when there are no tasks yet', () => {
    const { body } = render(TaskTree, { props: { nodes: [], expansion: new TreeExpansion() } });
    expect(body).toContain('data-testid="task-tree-empty"');
  });
});
