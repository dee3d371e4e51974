import { describe, expect, it } from 'vitest';
import {
  appendCheckpoint,
  digest,
  verifyCheckpointChain,
} from '@orchestrator/workflows/checkpoint';
import type { Checkpoint, CheckpointDraft } from '@orchestrator/workflows/client';
import {
  historyKey,
  historyProblems,
  mergeVerification,
  type HistoryReading,
} from './checkpoints.js';

const SESSION = 'session-abc';

/** The result an agent step returned, as history holds it. */
const result = (n: number) => ({ commitSha: `${n}`.repeat(40).slice(0, 40), exitCode: 0 });

function draft(n: number, overrides: Partial<CheckpointDraft> = {}): CheckpointDraft {
  return {
    workflowId: SESSION,
    eventId: 10 * n,
    taskPath: '',
    role: 'work',
    agent: 'writer',
    commitSha: result(n).commitSha,
    changed: true,
    exitCode: 0,
    summary: `step ${n}`,
    usage: null,
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:00:01Z',
    resultDigest: digest(result(n)),
    ...overrides,
  };
}

function chain(...drafts: CheckpointDraft[]): Checkpoint[] {
  return drafts.reduce<Checkpoint[]>((all, d) => [...all, appendCheckpoint(all, d)], []);
}

/** A history holding step n's result at event 10n - 4 (before its checkpoint's event). */
function history(...steps: number[]): HistoryReading {
  return {
    ok: true,
    steps: steps.map((n) => ({ eventId: 10 * n - 4, digest: digest(result(n)) })),
  };
}

const verify = (checkpoints: Checkpoint[], histories: Map<string, HistoryReading>) =>
  mergeVerification(verifyCheckpointChain(checkpoints), historyProblems(checkpoints, histories));

describe('checkpoint verification with workflow history', () => {
  it('verifies a chain whose every agent step is in its workflow’s history', () => {
    const task = `${SESSION}.1`;
    const checkpoints = chain(
      draft(1, { role: 'plan' }),
      draft(2, { workflowId: task, taskPath: '1' }),
      draft(3, { role: 'merge', agent: '', resultDigest: digest({ status: 'merged' }) }),
    );
    const merged = digest({ status: 'merged' });
    const sessionHistory = history(1);
    if (sessionHistory.ok) sessionHistory.steps.push({ eventId: 26, digest: merged });
    const histories = new Map([
      [SESSION, sessionHistory],
      [task, history(2)],
    ]);
    expect(verify(checkpoints, histories)).toEqual({
      verified: true,
      checked: 3,
      links: [1, 2, 3].map((seq) => ({ seq, ok: true, problem: null })),
      firstBroken: null,
    });
  });

  it('reports a consistently re-chained checkpoint whose result history never held', () => {
    // Rewritten and re-hashed: the chain alone cannot tell.
    const checkpoints = chain(draft(1), draft(2, { resultDigest: digest({ forged: true }) }));
    const verification = verify(checkpoints, new Map([[SESSION, history(1, 2)]]));
    expect(verifyCheckpointChain(checkpoints).verified).toBe(true);
    expect(verification.verified).toBe(false);
    expect(verification.firstBroken).toBe(2);
    expect(verification.links[1]).toMatchObject({ seq: 2, ok: false });
    expect(verification.links[1]?.problem).toMatch(/^not found in workflow history: /);
  });

  it('requires the result before the checkpoint’s event, not after it', () => {
    const checkpoints = chain(draft(1, { eventId: 3 }));
    const problems = historyProblems(checkpoints, new Map([[SESSION, history(1)]]));
    expect(problems.get(1)).toMatch(/before event 3/);
  });

  it('names an unreadable history on each of its checkpoints', () => {
    const checkpoints = chain(draft(1), draft(2));
    const problems = historyProblems(
      checkpoints,
      new Map([[SESSION, { ok: false, error: 'workflow not found' } as const]]),
    );
    expect([...problems.keys()]).toEqual([1, 2]);
    expect(problems.get(2)).toMatch(/could not be read \(workflow not found\)/);
  });

  it('keeps the chain’s own finding and adds the history’s to the same link', () => {
    const checkpoints = chain(draft(1), draft(2));
    const tampered = checkpoints.map((c) => (c.seq === 1 ? { ...c, summary: 'edited' } : c));
    const verification = verify(tampered, new Map([[SESSION, history(2)]]));
    expect(verification.links[0]?.problem).toBe(
      'hash does not match its content; not found in workflow history: no ' +
        `runAgentStep/mergeBranches/commitResolution result of ${SESSION} before event 10 has ` +
        `digest ${digest(result(1))}`,
    );
    expect(verification.links[1]).toEqual({ seq: 2, ok: true, problem: null });
    expect(verification.firstBroken).toBe(1);
  });

  it('looks merges up too: a merge history never held is reported', () => {
    const checkpoints = chain(draft(1, { role: 'merge', agent: '', resultDigest: 'whatever' }));
    const problems = historyProblems(checkpoints, new Map([[SESSION, history(1)]]));
    expect(problems.get(1)).toMatch(/^not found in workflow history/);
  });

  it('reads the run a checkpoint names (a session that continued as new has several)', () => {
    const checkpoints = chain(draft(1, { runId: 'run-1' }), draft(2, { runId: 'run-2' }));
    const histories = new Map([
      [historyKey(SESSION, 'run-1'), history(1)],
      [historyKey(SESSION, 'run-2'), history(2)],
    ]);
    expect(verify(checkpoints, histories).verified).toBe(true);
    // Each step is only in its own run's history.
    const swapped = new Map([
      [historyKey(SESSION, 'run-1'), history(2)],
      [historyKey(SESSION, 'run-2'), history(1)],
    ]);
    expect([...historyProblems(checkpoints, swapped).keys()]).toEqual([1, 2]);
  });
});
