import { describe, expect, it } from 'vitest';
import type { TaskNode } from '@orchestrator/workflows/client';
import type { TreeNodeView } from '../schemas.js';
import { comparePaths, nestTree, parentPath } from './tree.js';

function node(path: string, tokens = 0, costUsd = 0): TaskNode {
  return {
    path,
    planId: `t${path.replaceAll('.', '-')}`,
    workflowId: `session-abc.${path}`,
    title: `task ${path}`,
    status: 'completed',
    agent: 'writer',
    dependsOn: [],
    usage: { tokens, costUsd },
    startedAt: null,
    finishedAt: null,
    error: null,
  };
}

/** path → children's paths, depth first: the shape without the noise. */
function shape(nodes: TreeNodeView[]): unknown[] {
  return nodes.map((n) => (n.children.length ? [n.path, shape(n.children)] : n.path));
}

describe('task paths', () => {
  it('order numerically at each level, a parent before its children', () => {
    const paths = ['10', '2.10', '2', '1', '2.2', '2.1', '2.1.1'];
    expect(paths.sort(comparePaths)).toEqual(['1', '2', '2.1', '2.1.1', '2.2', '2.10', '10']);
  });

  it('name their parent', () => {
    expect(parentPath('3')).toBe('');
    expect(parentPath('3.1')).toBe('3');
    expect(parentPath('3.1.12')).toBe('3.1');
  });
});

describe('nestTree', () => {
  const url = (workflowId: string) => `http://temporal/${workflowId}`;

  it('nests the flat list by path, siblings in plan order, whatever order it came in', () => {
    const nodes = ['2.2', '10', '1', '2', '2.10', '2.1', '2.1.1'].map((p) => node(p));
    expect(shape(nestTree(nodes, url))).toEqual([
      '1',
      ['2', [['2.1', ['2.1.1']], '2.2', '2.10']],
      '10',
    ]);
  });

  it('marks the nodes whose agent step waits for a permit', () => {
    const [one, two] = nestTree([node('1'), node('2')], url, new Set(['session-abc.2']));
    expect(one?.waitingForStep).toBe(false);
    expect(two?.waitingForStep).toBe(true);
    expect(nestTree([node('1')], url)[0]?.waitingForStep).toBe(false);
  });

  it('adds every descendant’s usage to subtreeUsage and keeps each node’s own', () => {
    const [one, two] = nestTree(
      [node('1', 10, 0.5), node('2', 1), node('2.1', 100, 1), node('2.1.1', 1000, 2)],
      url,
    );
    expect(one).toMatchObject({ usage: { tokens: 10 }, subtreeUsage: { tokens: 10 } });
    expect(two).toMatchObject({
      usage: { tokens: 1, costUsd: 0 },
      subtreeUsage: { tokens: 1101, costUsd: 3 },
    });
    expect(two?.children[0]).toMatchObject({ subtreeUsage: { tokens: 1100, costUsd: 3 } });
  });

  it('links each node to its workflow in Temporal Web (or null without it)', () => {
    expect(nestTree([node('1')], url)[0]?.temporalUrl).toBe('http://temporal/session-abc.1');
    expect(nestTree([node('1')], () => null)[0]?.temporalUrl).toBeNull();
  });

  it('hangs a node whose parent is not listed yet under its nearest ancestor', () => {
    const nested = nestTree([node('1'), node('1.2.1'), node('3.1')], url);
    expect(shape(nested)).toEqual([['1', ['1.2.1']], '3.1']);
  });

  it('keeps the first of duplicate paths and answers [] for a session that did not plan', () => {
    expect(nestTree([node('1', 5), node('1', 7)], url)).toHaveLength(1);
    expect(nestTree([], url)).toEqual([]);
  });
});
