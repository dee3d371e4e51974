import { describe, expect, it } from 'vitest';
import { SESSION_STATUSES, isSessionStatus, type PendingApproval } from '$lib/types/api';
import { checkpoint } from '$lib/testing/fixtures';
import {
  canApproveGate,
  canForkFrom,
  canRetry,
  canRewindTo,
  canStop,
  gateLabel,
  isTerminal,
  sessionControls,
  statusLabel,
  waitsForBudget,
} from './session-status';

const gate = (patch: Partial<PendingApproval> = {}): PendingApproval => ({
  gate: 'plan',
  taskPath: '',
  reason: 'The plan has 3 tasks',
  since: '2025-01-01T00:00:00Z',
  ...patch,
});

describe('session status rules', () => {
  it('enables stop for every open status, retry for failed and cancelled', () => {
    const table = Object.fromEntries(
      SESSION_STATUSES.map((status) => [
        status,
        { stop: canStop(status), retry: canRetry(status), terminal: isTerminal(status) },
      ]),
    );
    expect(table).toEqual({
      pending: { stop: true, retry: false, terminal: false },
      running: { stop: true, retry: false, terminal: false },
      paused: { stop: true, retry: false, terminal: false },
      awaiting_approval: { stop: true, retry: false, terminal: false },
      completed: { stop: false, retry: false, terminal: true },
      failed: { stop: false, retry: true, terminal: true },
      cancelled: { stop: false, retry: true, terminal: true },
    });
  });

  it('offers pause, resume, decisions and budget changes as each status allows', () => {
    const idle = { paused: false, pending: [] };
    const table = Object.fromEntries(
      SESSION_STATUSES.map((status) => {
        const { pause, resume, decide, budget } = sessionControls(status, idle);
        return [status, { pause, resume, decide, budget }];
      }),
    );
    expect(table).toEqual({
      pending: { pause: true, resume: false, decide: false, budget: true },
      running: { pause: true, resume: false, decide: false, budget: true },
      paused: { pause: false, resume: true, decide: false, budget: true },
      awaiting_approval: { pause: false, resume: false, decide: false, budget: true },
      completed: { pause: false, resume: false, decide: false, budget: false },
      failed: { pause: false, resume: false, decide: false, budget: false },
      cancelled: { pause: false, resume: false, decide: false, budget: false },
    });
  });

  it('resumes a session asked to pause while its steps still run, and decides waiting gates', () => {
    expect(sessionControls('running', { paused: true, pending: [] })).toMatchObject({
      pause: false,
      resume: true,
    });
    const waiting = { paused: false, pending: [gate()] };
    expect(sessionControls('awaiting_approval', waiting).decide).toBe(true);
    // A closed session has nothing left to decide, whatever the detail still lists.
    expect(sessionControls('failed', waiting).decide).toBe(false);
    expect(sessionControls('running', null)).toMatchObject({ pause: true, decide: false });
  });

  it('approves any gate but the budget’s, which is raised instead', () => {
    expect(canApproveGate('plan')).toBe(true);
    expect(canApproveGate('merge')).toBe(true);
    expect(canApproveGate('conflict')).toBe(true);
    expect(canApproveGate('budget')).toBe(false);
    expect(waitsForBudget([gate(), gate({ gate: 'budget' })])).toBe(true);
    expect(waitsForBudget([gate()])).toBe(false);
    expect(gateLabel(gate())).toBe('the plan');
    expect(gateLabel(gate({ gate: 'merge', taskPath: '2.1' }))).toBe('the merge of task 2.1');
  });

  it('rewinds only to the session’s own checkpoints, forks from any with a commit', () => {
    expect(canRewindTo(checkpoint(1))).toBe(true);
    expect(canRewindTo(checkpoint(2, { taskPath: '2.1' }))).toBe(false);
    expect(canForkFrom(checkpoint(2, { taskPath: '2.1' }))).toBe(true);
    expect(canForkFrom(checkpoint(3, { commitSha: null }))).toBe(false);
  });

  it('recognises the seven statuses only', () => {
    expect(SESSION_STATUSES).toHaveLength(7);
    expect(isSessionStatus('awaiting_approval')).toBe(true);
    expect(isSessionStatus('done')).toBe(false);
    expect(isSessionStatus(3)).toBe(false);
    expect(statusLabel('awaiting_approval')).toBe('awaiting approval');
  });
});
