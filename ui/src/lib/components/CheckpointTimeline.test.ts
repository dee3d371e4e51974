import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import { checkpoint } from '$lib/testing/fixtures';
import { CheckpointDiff } from '$lib/stores/checkpoint-diff.svelte';
import CheckpointTimeline from './CheckpointTimeline.svelte';

describe('CheckpointTimeline', () => {
  it('lists the newest step first with its commit, exit code, usage and duration', () => {
    const usage = {
      inputTokens: 1200,
      outputTokens: 340,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: 0.01,
    };
    const { body } = render(CheckpointTimeline, {
      props: {
        diff: new CheckpointDiff('s1'),
        checkpoints: [
          checkpoint(1),
          checkpoint(2, { exitCode: 3, summary: 'tests failed', usage, changed: false }),
        ],
      },
    });
    const steps = body.split('data-testid="checkpoint-row"').slice(1);
    expect(steps.map((step) => /data-seq="(\d+)"/.exec(step)?.[1])).toEqual(['2', '1']);
    const [second, first] = steps;
    expect(second).toContain('data-failed="true"');
    expect(second).toContain('exit 3');
    expect(second).toContain('tests failed');
    expect(second).toContain('no change');
    expect(second).toContain('1.2k in / 340 out · $0.0100');
    expect(first).toContain(checkpoint(1).commitSha?.slice(0, 7));
    expect(first).toContain('9s');
    expect(first).toContain('data-failed="false"');
  });

  it('says when there is no checkpoint yet', () => {
    const { body } = render(CheckpointTimeline, {
      props: { diff: new CheckpointDiff('s1'), checkpoints: [] },
    });
    expect(body).toContain('No checkpoints yet');
  });
});
