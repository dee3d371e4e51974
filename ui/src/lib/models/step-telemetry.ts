/**
 * A session's step telemetry, derived from its checkpoints (the tree's steps and merges):
 * how many agent steps succeeded, and how long steps took. An agent that exits non-zero fails
 * its step's activity, which then leaves no checkpoint: such failures are counted from what
 * failed instead (`failuresWithoutCheckpoint`), and have no duration.
 */
import type { Checkpoint, SessionDetail, TaskNode } from '$lib/types/api';
import { formatSpan } from './budget';
import { whereLabel } from './checkpoint-chain';

export interface StepBar {
  seq: number;
  /** "session · work", "task 2.1 · plan". */
  label: string;
  durationMs: number;
  /** Share of the longest step's duration, 0..1. */
  ratio: number;
  /** The agent exited with 0 (a merge always counts as done). */
  ok: boolean;
  /** Every token the step reported, null when it reported none. */
  tokens: number | null;
}

export interface DurationStats {
  count: number;
  totalMs: number;
  medianMs: number;
  p90Ms: number;
  maxMs: number;
}

export interface StepTelemetry {
  /** Agent steps (merges excluded: no agent ran), and failures that left no checkpoint. */
  agentSteps: number;
  succeeded: number;
  failed: number;
  /** Of `failed`: failures without a checkpoint (no duration, no column). */
  unrecorded: number;
  /** succeeded / agentSteps; null before any agent step. */
  successRate: number | null;
  /** Over every step with readable times, merges included; null before any. */
  durations: DurationStats | null;
  /** Oldest first, the last `maxBars` steps. */
  bars: StepBar[];
}

/** How long a checkpoint's step ran; null when its times cannot be read. */
export function stepDurationMs(
  checkpoint: Pick<Checkpoint, 'startedAt' | 'finishedAt'>,
): number | null {
  const start = Date.parse(checkpoint.startedAt);
  const end = Date.parse(checkpoint.finishedAt);
  if (Number.isNaN(start) || Number.isNaN(end)) return null;
  return Math.max(0, end - start);
}

/** The value below which `share` of the sorted values fall (nearest rank). */
export function percentile(sorted: readonly number[], share: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil(share * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function durationStats(durations: readonly number[]): DurationStats | null {
  if (durations.length === 0) return null;
  const sorted = [...durations].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const medianMs =
    sorted.length % 2 === 1
      ? sorted[middle]!
      : Math.round((sorted[middle - 1]! + sorted[middle]!) / 2);
  return {
    count: sorted.length,
    totalMs: sorted.reduce((sum, value) => sum + value, 0),
    medianMs,
    p90Ms: percentile(sorted, 0.9),
    maxMs: sorted[sorted.length - 1]!,
  };
}

function stepTokens(checkpoint: Checkpoint): number | null {
  const usage = checkpoint.usage;
  if (!usage) return null;
  return usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
}

/**
 * Failures that left no checkpoint: each failed task of the tree, or the session itself when
 * it failed without a plan (its one step, or what came before it, failed for good).
 */
export function failuresWithoutCheckpoint(
  session: Pick<SessionDetail, 'status' | 'plan'>,
  nodes: readonly TaskNode[] | null,
): number {
  if (!session.plan) return session.status === 'failed' ? 1 : 0;
  let failed = 0;
  const visit = (list: readonly TaskNode[]) => {
    for (const node of list) {
      // A task that planned fails through its own tasks: count where the failure happened.
      if (node.status === 'failed' && !node.children.some((child) => child.status === 'failed')) {
        failed += 1;
      }
      visit(node.children);
    }
  };
  visit(nodes ?? []);
  return failed;
}

export function stepTelemetry(
  checkpoints: readonly Checkpoint[],
  maxBars = 40,
  unrecorded = 0,
): StepTelemetry {
  const ordered = [...checkpoints].sort((a, b) => a.seq - b.seq);
  const recorded = ordered.filter((checkpoint) => checkpoint.role !== 'merge');
  const succeeded = recorded.filter((checkpoint) => checkpoint.exitCode === 0).length;
  const agentSteps = recorded.length + unrecorded;
  const timed = ordered.flatMap((checkpoint) => {
    const durationMs = stepDurationMs(checkpoint);
    return durationMs === null ? [] : [{ checkpoint, durationMs }];
  });
  const shown = timed.slice(-maxBars);
  const longest = Math.max(0, ...shown.map((step) => step.durationMs));
  return {
    agentSteps,
    succeeded,
    failed: agentSteps - succeeded,
    unrecorded,
    successRate: agentSteps === 0 ? null : succeeded / agentSteps,
    durations: durationStats(timed.map((step) => step.durationMs)),
    bars: shown.map(({ checkpoint, durationMs }) => ({
      seq: checkpoint.seq,
      label: `${whereLabel(checkpoint)} · ${checkpoint.role}`,
      durationMs,
      ratio: longest > 0 ? durationMs / longest : 0,
      ok: checkpoint.role === 'merge' || checkpoint.exitCode === 0,
      tokens: stepTokens(checkpoint),
    })),
  };
}

/** "83% (5 of 6)"; "—" before any agent step. */
export function successText(
  telemetry: Pick<StepTelemetry, 'successRate' | 'succeeded' | 'agentSteps'>,
): string {
  if (telemetry.successRate === null) return '—';
  return `${Math.round(telemetry.successRate * 100)}% (${telemetry.succeeded} of ${telemetry.agentSteps})`;
}

/** A step's duration for people: "850 ms" below a second, else as spans are written. */
export function formatStepDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : formatSpan(ms);
}

/** The success meter's colour: all good, some failures, mostly failures. */
export function successTone(rate: number | null): 'ok' | 'high' | 'full' | 'unlimited' {
  if (rate === null) return 'unlimited';
  return rate >= 0.9 ? 'ok' : rate >= 0.5 ? 'high' : 'full';
}
