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

  it('shows each checkpoint’s role, where it ran, its hash and its verification mark', () => {
    const { body } = render(CheckpointTimeline, {
      props: {
        diff: new CheckpointDiff('s1'),
        checkpoints: [
          checkpoint(1, { role: 'plan', hash: 'abcdef0123456789' }),
          checkpoint(2, { taskPath: '1', workflowId: 'session-s1.1' }),
          checkpoint(3, { role: 'merge', agent: '' }),
        ],
        marks: new Map([
          [1, { state: 'verified' as const }],
          [2, { state: 'broken' as const, problem: 'no step result with that digest' }],
        ]),
      },
    });
    const [merge, task, plan] = body.split('data-testid="checkpoint-row"').slice(1);
    expect(plan).toContain('data-verified="verified"');
    expect(plan).toContain('>plan<');
    expect(plan).toContain('#abcdef01');
    expect(plan).toContain('>session<');
    expect(task).toContain('data-verified="broken"');
    expect(task).toContain('task 1');
    expect(task).toContain('no step result with that digest');
    expect(merge).toContain('data-verified="unchecked"');
    expect(merge).toContain('>merge<');
  });

  it('offers retry from the session’s own checkpoints and fork from any with a commit', () => {
    const { body } = render(CheckpointTimeline, {
      props: {
        diff: new CheckpointDiff('s1'),
        checkpoints: [
          checkpoint(1),
          checkpoint(2, { taskPath: '2.1' }),
          checkpoint(3, { commitSha: null }),
        ],
        onrewind: () => {},
        onfork: () => {},
      },
    });
    const [none, task, own] = body.split('data-testid="checkpoint-row"').slice(1);
    expect(own).toContain('checkpoint-rewind');
    expect(own).toContain('checkpoint-fork');
    expect(task).not.toContain('checkpoint-rewind');
    expect(task).toContain('checkpoint-fork');
    expect(none).toContain('checkpoint-rewind');
    expect(none).not.toContain('checkpoint-fork');

    const readOnly = render(CheckpointTimeline, {
      props: { diff: new CheckpointDiff('s1'), checkpoints: [checkpoint(1)] },
    });
    expect(readOnly.body).not.toContain('checkpoint-rewind');
  });
});
