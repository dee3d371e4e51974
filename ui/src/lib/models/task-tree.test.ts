import { describe, expect, it } from 'vitest';
import { taskNode } from '$lib/testing/fixtures';
import {
  branchPaths,
  countTree,
  describeCounts,
  filterTree,
  noTreeFilter,
  shownStatus,
  treeAgents,
} from './task-tree';

const nodes = [
  taskNode('1', {
    agent: 'planner',
    status: 'running',
    children: [
      taskNode('1.1', { status: 'completed' }),
      taskNode('1.2', { status: 'failed', agent: 'coder' }),
    ],
  }),
  taskNode('2', { status: 'skipped', agent: null }),
];

describe('task tree', () => {
  it('keeps the ancestors of a match for context and says which nodes matched', () => {
    const { nodes: kept, matched } = filterTree(nodes, { status: 'failed', agent: null });
    expect(kept.map((n) => n.path)).toEqual(['1']);
    expect(kept[0]?.children.map((n) => n.path)).toEqual(['1.2']);
    expect([...matched]).toEqual(['1.2']);

    const byAgent = filterTree(nodes, { status: null, agent: 'writer' });
    expect(byAgent.nodes[0]?.children.map((n) => n.path)).toEqual(['1.1']);
    expect(filterTree(nodes, { status: 'paused', agent: null }).nodes).toEqual([]);
  });

  it('leaves an unfiltered tree whole, every node matched', () => {
    const all = filterTree(nodes, noTreeFilter);
    expect(all.nodes).toEqual(nodes);
    expect([...all.matched].sort()).toEqual(['1', '1.1', '1.2', '2']);
  });

  it('shows a running task whose step waits for a permit as queued, and counts it apart', () => {
    const waiting = taskNode('3', { status: 'running', waitingForStep: true });
    expect(shownStatus(waiting)).toBe('queued');
    expect(shownStatus({ ...waiting, waitingForStep: false })).toBe('running');
    // A gateway from before the field says nothing: running.
    expect(shownStatus(taskNode('4', { status: 'running' }))).toBe('running');
    // Only a running task can be queued.
    expect(shownStatus(taskNode('5', { status: 'completed', waitingForStep: true }))).toBe(
      'completed',
    );
    expect(describeCounts([...nodes, waiting])).toBe(
      '5 tasks · 1 running · 1 queued · 1 completed · 1 failed · 1 skipped',
    );
  });

  it('counts by status and lists agents and branches', () => {
    expect(countTree(nodes)).toEqual({
      total: 4,
      byStatus: { running: 1, completed: 1, failed: 1, skipped: 1 },
    });
    expect(describeCounts(nodes)).toBe('4 tasks · 1 running · 1 completed · 1 failed · 1 skipped');
    expect(describeCounts([])).toBe('no tasks');
    expect(treeAgents(nodes)).toEqual(['coder', 'planner', 'writer']);
    expect(branchPaths(nodes)).toEqual(['1']);
  });

  it('adds up subtree usage in the fixture the way the gateway does', () => {
    expect(nodes[0]?.subtreeUsage.tokens).toBe(300);
  });
});
