/**
 * The checkpoint chain's verification as marks on the timeline: each checkpoint verified,
 * broken (with the gateway's reason) or not checked yet.
 */
import type { Checkpoint, CheckpointVerification, SessionDetail } from '$lib/types/api';

export type LinkMark =
  { state: 'verified' } | { state: 'broken'; problem: string } | { state: 'unchecked' };

const UNCHECKED: LinkMark = { state: 'unchecked' };

export function linkMarks(verification: CheckpointVerification | null): Map<number, LinkMark> {
  const marks = new Map<number, LinkMark>();
  for (const link of verification?.links ?? []) {
    marks.set(
      link.seq,
      link.ok
        ? { state: 'verified' }
        : { state: 'broken', problem: link.problem ?? 'The link does not verify.' },
    );
  }
  return marks;
}

export function markOf(marks: ReadonlyMap<number, LinkMark>, seq: number): LinkMark {
  return marks.get(seq) ?? UNCHECKED;
}

/**
 * What identifies the chain the detail shows: a new run, a new checkpoint or a changed hash
 * means the verification must be read again; the same signature means it still holds.
 */
export function chainSignature(
  session: Pick<SessionDetail, 'runId' | 'checkpoints'> | null,
): string {
  if (!session) return '';
  const last = session.checkpoints.at(-1);
  return `${session.runId}:${session.checkpoints.length}:${last?.hash ?? ''}`;
}

/** "verified (7)", "broken at #3", "checking…" for the timeline's head. */
export function describeVerification(verification: CheckpointVerification | null): string {
  if (!verification) return 'not checked';
  if (verification.verified) return `chain verified (${verification.checked})`;
  return verification.firstBroken === null
    ? 'chain does not verify'
    : `chain broken at #${verification.firstBroken}`;
}

/** The first 8 hex digits of a checkpoint's hash. */
export function shortHash(checkpoint: Pick<Checkpoint, 'hash'>): string {
  return checkpoint.hash ? checkpoint.hash.slice(0, 8) : '—';
}

/** "session" for the session's own steps, else "task 2.1". */
export function whereLabel(checkpoint: Pick<Checkpoint, 'taskPath'>): string {
  return checkpoint.taskPath === '' ? 'session' : `task ${checkpoint.taskPath}`;
}
