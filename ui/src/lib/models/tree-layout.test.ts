import { describe, expect, it } from 'vitest';
import { taskNode } from '$lib/testing/fixtures';
import { NODE_WIDTH, ROOT_ID, layoutTree } from './tree-layout';

describe('tree layout', () => {
  const nodes = [
    taskNode('1', {
      planId: 'a',
      children: [
        taskNode('1.1', { planId: 'a1' }),
        taskNode('1.2', { planId: 'a2', dependsOn: ['a1'] }),
      ],
    }),
    taskNode('2', { planId: 'b', dependsOn: ['a'] }),
  ];

  it('places the session first and each level of tasks further right, siblings apart', () => {
    const { nodes: placed } = layoutTree(nodes);
    const at = Object.fromEntries(placed.map((node) => [node.id, node]));
    expect(Object.keys(at).sort()).toEqual(['1', '1.1', '1.2', '2', ROOT_ID]);
    expect(at[ROOT_ID]?.task).toBeNull();
    expect(at['1.1']?.task?.path).toBe('1.1');
    expect(at['1']!.x).toBeGreaterThanOrEqual(at[ROOT_ID]!.x + NODE_WIDTH);
    expect(at['1.1']!.x).toBeGreaterThanOrEqual(at['1']!.x + NODE_WIDTH);
    expect(at['1']!.x).toBe(at['2']!.x);
    expect(at['1']!.y).toBeLessThan(at['2']!.y);
    expect(at['1.1']!.y).toBeLessThan(at['1.2']!.y);
  });

  it('draws parent edges and dashed dependency edges between siblings', () => {
    const { edges } = layoutTree(nodes);
    expect(
      edges
        .filter((e) => e.kind === 'child')
        .map((e) => e.id)
        .sort(),
    ).toEqual(['1>1.1', '1>1.2', `${ROOT_ID}>1`, `${ROOT_ID}>2`]);
    expect(
      edges
        .filter((e) => e.kind === 'depends')
        .map((e) => e.id)
        .sort(),
    ).toEqual(['1.1~1.2', '1~2']);
  });

  it('keeps many siblings, and their children, in plan order', () => {
    const many = Array.from({ length: 6 }, (_, i) =>
      taskNode(String(i + 1), {
        planId: `t${i}`,
        dependsOn: i > 0 ? ['t0'] : [],
        children: i % 2 === 0 ? [taskNode(`${i + 1}.1`), taskNode(`${i + 1}.2`)] : [],
      }),
    );
    const placed = layoutTree(many).nodes;
    const y = (id: string) => placed.find((node) => node.id === id)!.y;
    const top = ['1', '2', '3', '4', '5', '6'].map(y);
    expect(top).toEqual([...top].sort((a, b) => a - b));
    const leaves = ['1.1', '1.2', '3.1', '3.2', '5.1', '5.2'].map(y);
    expect(leaves).toEqual([...leaves].sort((a, b) => a - b));
  });

  it('lays out an empty tree as the session alone', () => {
    expect(layoutTree([]).nodes.map((n) => n.id)).toEqual([ROOT_ID]);
  });
});
