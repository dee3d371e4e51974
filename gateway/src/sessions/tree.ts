/**
 * The task tree as GET /api/sessions/:id/tree shows it: the session's flat list of nodes (its
 * `state` query) nested by path, siblings in plan order, each node with what its whole subtree
 * spent, so the console can show where a budget went without adding numbers up itself.
 */
import type { TaskNode, Usage } from '@orchestrator/workflows/client';
import type { TreeNodeView } from '../schemas.js';

/** Orders task paths as numbers per level: `2` < `2.1` < `2.10` < `10`. */
export function comparePaths(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? -1) - (right[i] ?? -1);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** The path of a node's parent; '' for a node directly under the session. */
export function parentPath(path: string): string {
  const cut = path.lastIndexOf('.');
  return cut < 0 ? '' : path.slice(0, cut);
}

const add = (a: Usage, b: Usage): Usage => ({
  tokens: a.tokens + b.tokens,
  costUsd: a.costUsd + b.costUsd,
});

/**
 * Nests the flat nodes. A node whose parent is missing (a report still on its way) hangs
 * under its nearest listed ancestor, or the session, rather than disappearing.
 */
export function nestTree(
  nodes: readonly TaskNode[],
  temporalUrl: (workflowId: string) => string | null,
  /** Workflow ids whose agent step waits for a permit (the state's `steps.queued`). */
  queued: ReadonlySet<string> = new Set(),
): TreeNodeView[] {
  const views = new Map<string, TreeNodeView>();
  for (const node of [...nodes].sort((a, b) => comparePaths(a.path, b.path))) {
    if (views.has(node.path)) continue;
    const usage = node.usage ?? { tokens: 0, costUsd: 0 };
    views.set(node.path, {
      ...node,
      usage,
      subtreeUsage: usage,
      temporalUrl: temporalUrl(node.workflowId),
      waitingForStep: queued.has(node.workflowId),
      children: [],
    });
  }
  const roots: TreeNodeView[] = [];
  for (const view of views.values()) {
    let parent: TreeNodeView | undefined;
    for (let path = parentPath(view.path); path !== '' && !parent; path = parentPath(path)) {
      parent = views.get(path);
    }
    (parent ? parent.children : roots).push(view);
  }
  const total = (view: TreeNodeView): Usage => {
    view.subtreeUsage = view.children.reduce((sum, child) => add(sum, total(child)), view.usage);
    return view.subtreeUsage;
  };
  roots.forEach(total);
  return roots;
}
