import type { SessionStatus } from '$lib/types/api';

const OPEN: readonly SessionStatus[] = ['pending', 'running', 'paused', 'awaiting_approval'];

/** A finished session never changes status again (until it is retried). */
export function isTerminal(status: SessionStatus): boolean {
  return !OPEN.includes(status);
}

/** Stop and force stop apply to a session that is waiting to run or running. */
export function canStop(status: SessionStatus): boolean {
  return status === 'pending' || status === 'running';
}

/** Retry applies to a session that failed or was cancelled. */
export function canRetry(status: SessionStatus): boolean {
  return status === 'failed' || status === 'cancelled';
}

/** "awaiting_approval" → "awaiting approval", for labels. */
export function statusLabel(status: SessionStatus): string {
  return status.replace(/_/g, ' ');
}
