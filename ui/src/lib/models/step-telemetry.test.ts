import { describe, expect, it } from 'vitest';
import { checkpoint } from '$lib/testing/fixtures';
import { sessionDetail, taskNode } from '$lib/testing/fixtures';
import {
  durationStats,
  failuresWithoutCheckpoint,
  formatStepDuration,
  percentile,
  stepDurationMs,
  stepTelemetry,
  successText,
} from './step-telemetry';

/** A checkpoint whose step ran `seconds` from midnight. */
function step(seq: number, seconds: number, patch: Parameters<typeof checkpoint>[1] = {}) {
  return checkpoint(seq, {
    startedAt: '2025-01-01T00:00:00Z',
    finishedAt: new Date(Date.UTC(2025, 0, 1) + seconds * 1000).toISOString(),
    ...patch,
  });
}

describe('step telemetry', () => {
  it('counts agent steps that exited 0 as successes, merges not at all', () => {
    const telemetry = stepTelemetry([
      step(1, 10, { role: 'plan' }),
      step(2, 20, { taskPath: '1', exitCode: 2 }),
      step(3, 30, { taskPath: '2' }),
      step(4, 1, { role: 'merge', agent: '', exitCode: 0 }),
    ]);
    expect(telemetry).toMatchObject({ agentSteps: 3, succeeded: 2, failed: 1 });
    expect(telemetry.successRate).toBeCloseTo(2 / 3);
    expect(successText(telemetry)).toBe('67% (2 of 3)');
  });

  it('counts failures that left no checkpoint as failed steps without a duration', () => {
    const telemetry = stepTelemetry([step(1, 10, { role: 'plan' })], 40, 2);
    expect(telemetry).toMatchObject({ agentSteps: 3, succeeded: 1, failed: 2, unrecorded: 2 });
    expect(successText(telemetry)).toBe('33% (1 of 3)');
    expect(telemetry.bars).toHaveLength(1);
    expect(stepTelemetry([], 40, 1).successRate).toBe(0);
  });

  it('finds those failures: the failed session without a plan, or the failed tasks', () => {
    expect(failuresWithoutCheckpoint(sessionDetail('s', { status: 'failed' }), null)).toBe(1);
    expect(failuresWithoutCheckpoint(sessionDetail('s', { status: 'completed' }), null)).toBe(0);
    const planned = sessionDetail('s', { status: 'failed', plan: { planner: 'p' } });
    const nodes = [
      // Task 1 planned and failed through its task 1.2: one failure, where it happened.
      taskNode('1', {
        status: 'failed',
        children: [taskNode('1.1'), taskNode('1.2', { status: 'failed' })],
      }),
      taskNode('2', { status: 'failed' }),
      taskNode('3', { status: 'skipped' }),
    ];
    expect(failuresWithoutCheckpoint(planned, nodes)).toBe(2);
    expect(failuresWithoutCheckpoint(planned, null)).toBe(0);
  });

  it('has no rate and no durations before the first step', () => {
    const telemetry = stepTelemetry([]);
    expect(telemetry).toEqual({
      agentSteps: 0,
      succeeded: 0,
      failed: 0,
      unrecorded: 0,
      successRate: null,
      durations: null,
      bars: [],
    });
    expect(successText(telemetry)).toBe('—');
  });

  it('draws a bar per step, oldest first, scaled to the longest, with its outcome and tokens', () => {
    const usage = {
      inputTokens: 100,
      outputTokens: 20,
      cacheReadTokens: 5,
      cacheWriteTokens: 0,
      costUsd: null,
    };
    const { bars } = stepTelemetry([
      step(2, 40, { taskPath: '2.1', exitCode: 1, usage }),
      step(1, 10, { role: 'plan' }),
    ]);
    expect(bars).toEqual([
      { seq: 1, label: 'session · plan', durationMs: 10_000, ratio: 0.25, ok: true, tokens: null },
      { seq: 2, label: 'task 2.1 · work', durationMs: 40_000, ratio: 1, ok: false, tokens: 125 },
    ]);
  });

  it('keeps the latest steps when there are more than the chart holds', () => {
    const steps = Array.from({ length: 10 }, (_, i) => step(i + 1, i + 1));
    const telemetry = stepTelemetry(steps, 4);
    expect(telemetry.bars.map((bar) => bar.seq)).toEqual([7, 8, 9, 10]);
    // The statistics still cover every step.
    expect(telemetry.durations?.count).toBe(10);
  });

  it('leaves out steps whose times cannot be read', () => {
    expect(stepDurationMs({ startedAt: 'nope', finishedAt: '2025-01-01T00:00:00Z' })).toBeNull();
    const telemetry = stepTelemetry([step(1, 5), checkpoint(2, { finishedAt: '' })]);
    expect(telemetry.bars.map((bar) => bar.seq)).toEqual([1]);
    expect(telemetry.agentSteps).toBe(2);
  });
});

describe('duration statistics', () => {
  it('gives the median, the 90th percentile (nearest rank), the longest and the total', () => {
    expect(durationStats([5, 1, 3])).toEqual({
      count: 3,
      totalMs: 9,
      medianMs: 3,
      p90Ms: 5,
      maxMs: 5,
    });
    expect(durationStats([4, 1, 2, 3])?.medianMs).toBe(3); // (2 + 3) / 2, rounded
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 0.9)).toBe(90);
    expect(percentile([7], 0.9)).toBe(7);
    expect(durationStats([])).toBeNull();
  });

  it('writes short steps in milliseconds and longer ones as spans', () => {
    expect(formatStepDuration(850)).toBe('850 ms');
    expect(formatStepDuration(65_000)).toBe('1m 05s');
  });
});
