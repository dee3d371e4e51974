import {
  PLAN_DEFAULTS,
  type Checkpoint,
  type PlanSettings,
  type SessionDetail,
} from '$lib/types/api';

/** What a session's steps cost together; null when no step reported a cost. */
export function totalCost(checkpoints: readonly Checkpoint[]): number | null {
  let total: number | null = null;
  for (const checkpoint of checkpoints) {
    const cost = checkpoint.usage?.costUsd;
    if (typeof cost === 'number') total = (total ?? 0) + cost;
  }
  return total;
}

/** "$0.0123" below a dollar, "$12.34" above. */
export function formatCost(cost: number | null): string {
  if (cost === null) return '—';
  return `$${cost.toFixed(cost < 1 ? 4 : 2)}`;
}

/** Tokens across the whole tree: the detail's usage, else the TokensUsed search attribute. */
export function sessionTokens(session: Pick<SessionDetail, 'usage' | 'tokensUsed'>): number {
  return Math.max(session.usage?.tokens ?? 0, session.tokensUsed ?? 0);
}

/** Cost across the tree, else what the session's own steps reported (null: none did). */
export function sessionCost(session: Pick<SessionDetail, 'usage' | 'checkpoints'>): number | null {
  // Zero from the tree's usage is also what a tree whose agents report no cost says: show "—".
  if ((session.usage?.costUsd ?? 0) > 0) return session.usage.costUsd;
  return totalCost(session.checkpoints);
}

/** "planner · depth 3 · 8 per plan · 4 at once", defaults filled in. */
export function planText(plan: PlanSettings): string {
  return [
    plan.planner ? `planner ${plan.planner}` : 'planner routed',
    `depth ${plan.maxDepth ?? PLAN_DEFAULTS.maxDepth}`,
    `${plan.maxChildren ?? PLAN_DEFAULTS.maxChildren} per plan`,
    `${plan.maxParallel ?? PLAN_DEFAULTS.maxParallel} at once`,
  ].join(' · ');
}
