/**
 * How an attempt ended, for the ledger and the tiers: the typed failures of agent-errors.ts
 * map to outcomes; a cancellation is `cancelled` (not the agent's doing, so not judged).
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { StepOutcome } from '../db/schema.js';

export function stepOutcome(error: unknown): { outcome: StepOutcome; errorType: string | null } {
  if (error === null || error === undefined) return { outcome: 'succeeded', errorType: null };
  if (error instanceof CancelledFailure) return { outcome: 'cancelled', errorType: null };
  const type = error instanceof ApplicationFailure ? (error.type ?? null) : null;
  if (type === 'AgentStalledError') return { outcome: 'stalled', errorType: type };
  if (type === 'AgentModelError') return { outcome: 'model_error', errorType: type };
  // Killed from outside (OOM killer, an operator): like a dead worker, not the agent's answer.
  if (type === 'AgentKilledError') return { outcome: 'lost', errorType: type };
  return {
    outcome: 'failed',
    errorType: type ?? (error instanceof Error ? error.name : 'Error'),
  };
}
