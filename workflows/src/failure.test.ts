import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  RetryState,
} from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { describeFailure, spentUsageOf } from './failure.js';

const usage = {
  inputTokens: 300,
  outputTokens: 50,
  cacheReadTokens: 7,
  cacheWriteTokens: 0,
  costUsd: null,
};

function activityFailure(cause: Error): ActivityFailure {
  return new ActivityFailure(
    'Activity task failed',
    'runAgentStep',
    '3',
    RetryState.NON_RETRYABLE_FAILURE,
    'worker',
    cause,
  );
}

describe('spentUsageOf', () => {
  it("reads the usage a failed step's last detail carries", () => {
    const cause = ApplicationFailure.create({
      type: 'AgentExitError',
      message: 'Agent "x" exited with code 2',
      nonRetryable: true,
      details: [{ agent: 'x', exitCode: 2 }, { spentUsage: usage }],
    });
    expect(spentUsageOf(activityFailure(cause))).toEqual(usage);
    expect(describeFailure(activityFailure(cause))).toBe('Agent "x" exited with code 2');
  });

  it('is null for failures that carry none, or something that is not usage', () => {
    const plain = ApplicationFailure.create({ type: 'AgentExitError', details: [{ agent: 'x' }] });
    expect(spentUsageOf(activityFailure(plain))).toBeNull();
    const malformed = ApplicationFailure.create({
      details: [{ spentUsage: { inputTokens: '3', outputTokens: 1 } }],
    });
    expect(spentUsageOf(activityFailure(malformed))).toBeNull();
    expect(spentUsageOf(activityFailure(new CancelledFailure('cancelled')))).toBeNull();
    expect(spentUsageOf(new Error('boom'))).toBeNull();
  });
});
