import type { Checkpoint } from '$lib/types/api';

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
