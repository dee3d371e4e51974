import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import { checkpoint } from '$lib/testing/fixtures';
import StepTelemetry from './StepTelemetry.svelte';

describe('StepTelemetry', () => {
  it('shows the success rate as a meter, the duration figures and a column per step', () => {
    const { body } = render(StepTelemetry, {
      props: {
        checkpoints: [
          checkpoint(1, { role: 'plan', finishedAt: '2025-01-01T00:00:04Z' }),
          checkpoint(2, { taskPath: '1', exitCode: 1, finishedAt: '2025-01-01T00:00:08Z' }),
          checkpoint(3, { role: 'merge', agent: '', finishedAt: '2025-01-01T00:00:00.500Z' }),
        ],
      },
    });
    expect(body).toContain('data-testid="step-success-rate"');
    expect(body).toContain('50% (1 of 2)');
    expect(body).toContain('role="meter"');
    expect(body).toContain('aria-valuetext="1 of 2 steps succeeded"');
    expect(body).toContain('fill-high');
    expect(body).toMatch(/data-testid="step-duration-median" data-ms="4000"/);
    expect(body).toMatch(/data-testid="step-duration-max" data-ms="8000"/);
    const columns = body.split('data-testid="step-duration-bar"').slice(1);
    expect(columns.map((column) => /data-seq="(\d+)"/.exec(column)?.[1])).toEqual(['1', '2', '3']);
    expect(columns[1]).toContain('data-ok="false"');
    // The chart is a picture; a table says the same in words.
    expect(body).toContain('aria-hidden="true" data-testid="step-duration-chart"');
    expect(body).toContain('<caption>Step durations</caption>');
    expect(body).toContain('task 1 · work');
    expect(body).toContain('500 ms');
  });

  it('counts a failure that left no checkpoint, and says it has no duration', () => {
    const { body } = render(StepTelemetry, { props: { checkpoints: [], unrecorded: 1 } });
    expect(body).not.toContain('telemetry-empty');
    expect(body).toContain('data-unrecorded="1"');
    expect(body).toContain('0% (0 of 1)');
    expect(body).toContain('1 failed without a checkpoint');
    expect(body).toContain('fill-full');
  });

  it('says so before any step finished', () => {
    const { body } = render(StepTelemetry, { props: { checkpoints: [] } });
    expect(body).toContain('data-testid="telemetry-empty"');
    expect(body).not.toContain('step-duration-chart');
  });
});
