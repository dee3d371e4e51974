/**
 * A session's task tree as the console shows it: filtered (keeping the ancestors of what
 * matches, so a match is seen where it sits), counted, and the options its filters offer.
 */
import type { TaskNode, TaskStatus } from '$lib/types/api';

export interface TreeFilter {
  status: TaskStatus | null;
  agent: string | null;
}

export const noTreeFilter: TreeFilter = { status: null, agent: null };

export function isTreeFiltered(filter: TreeFilter): boolean {
  return filter.status !== null || filter.agent !== null;
}

function matches(node: TaskNode, filter: TreeFilter): boolean {
  return (
    (filter.status === null || node.status === filter.status) &&
    (filter.agent === null || node.agent === filter.agent)
  );
}

/** The filtered tree and the paths that matched themselves (the others are there as context). */
export interface FilteredTree {
  nodes: TaskNode[];
  matched: Set<string>;
}

export function filterTree(nodes: readonly TaskNode[], filter: TreeFilter): FilteredTree {
  const matched = new Set<string>();
  const keep = (list: readonly TaskNode[]): TaskNode[] => {
    const kept: TaskNode[] = [];
    for (const node of list) {
      const children = keep(node.children);
      const self = matches(node, filter);
      if (self) matched.add(node.path);
      if (self || children.length > 0) kept.push({ ...node, children });
    }
    return kept;
  };
  if (!isTreeFiltered(filter)) {
    walk(nodes, (node) => matched.add(node.path));
    return { nodes: [...nodes], matched };
  }
  return { nodes: keep(nodes), matched };
}

/** Calls `visit` for every node, parents before children. */
export function walk(nodes: readonly TaskNode[], visit: (node: TaskNode, depth: number) => void) {
  const go = (list: readonly TaskNode[], depth: number) => {
    for (const node of list) {
      visit(node, depth);
      go(node.children, depth + 1);
    }
  };
  go(nodes, 0);
}

/** What a node's badge says: a running task whose step waits for a permit is `queued`. */
export type ShownTaskStatus = TaskStatus | 'queued';

export function shownStatus(node: Pick<TaskNode, 'status' | 'waitingForStep'>): ShownTaskStatus {
  return node.status === 'running' && node.waitingForStep === true ? 'queued' : node.status;
}

/** How many nodes, by status as shown (queued apart from running). */
export function countTree(nodes: readonly TaskNode[]): {
  total: number;
  byStatus: Partial<Record<ShownTaskStatus, number>>;
} {
  let total = 0;
  const byStatus: Partial<Record<ShownTaskStatus, number>> = {};
  walk(nodes, (node) => {
    total += 1;
    const status = shownStatus(node);
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  });
  return { total, byStatus };
}

/** "3 tasks · 2 completed · 1 running", in a fixed status order. */
export function describeCounts(nodes: readonly TaskNode[]): string {
  const { total, byStatus } = countTree(nodes);
  if (total === 0) return 'no tasks';
  const order: ShownTaskStatus[] = [
    'running',
    'queued',
    'awaiting_approval',
    'paused',
    'pending',
    'completed',
    'failed',
    'skipped',
    'cancelled',
  ];
  const parts = order
    .filter((status) => byStatus[status])
    .map((status) => `${byStatus[status]} ${status.replace(/_/g, ' ')}`);
  return [`${total} ${total === 1 ? 'task' : 'tasks'}`, ...parts].join(' · ');
}

/** Every agent that ran a node, sorted, for the agent filter. */
export function treeAgents(nodes: readonly TaskNode[]): string[] {
  const agents = new Set<string>();
  walk(nodes, (node) => {
    if (node.agent) agents.add(node.agent);
  });
  return [...agents].sort();
}

/** Paths of the nodes that have children: what "collapse all" folds. */
export function branchPaths(nodes: readonly TaskNode[]): string[] {
  const paths: string[] = [];
  walk(nodes, (node) => {
    if (node.children.length > 0) paths.push(node.path);
  });
  return paths;
}
