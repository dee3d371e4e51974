import { describe, expect, it } from 'vitest';
import { SESSION_STATUSES, isSessionStatus } from '$lib/types/api';
import { canRetry, canStop, isTerminal, statusLabel } from './session-status';

describe('session status rules', () => {
  it('enables stop for pending and running, retry for failed and cancelled', () => {
    const table = Object.fromEntries(
      SESSION_STATUSES.map((status) => [
        status,
        { stop: canStop(status), retry: canRetry(status), terminal: isTerminal(status) },
      ]),
    );
    expect(table).toEqual({
      pending: { stop: true, retry: false, terminal: false },
      running: { stop: true, retry: false, terminal: false },
      paused: { stop: false, retry: false, terminal: false },
      awaiting_approval: { stop: false, retry: false, terminal: false },
      completed: { stop: false, retry: false, terminal: true },
      failed: { stop: false, retry: true, terminal: true },
      cancelled: { stop: false, retry: true, terminal: true },
    });
  });

  it('recognises the seven statuses only', () => {
    expect(SESSION_STATUSES).toHaveLength(7);
    expect(isSessionStatus('awaiting_approval')).toBe(true);
    expect(isSessionStatus('done')).toBe(false);
    expect(isSessionStatus(3)).toBe(false);
    expect(statusLabel('awaiting_approval')).toBe('awaiting approval');
  });
});
