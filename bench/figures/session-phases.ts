/**
 * The profile behind the session figures: history breakdowns of sessions and anchor workflows,
 * and, when the session is slower, which of its phases account for the difference and what would
 * remove each (from what this project's session workflow does in that phase).
 */
import type { Client } from '@temporalio/client';
import { sessionWorkflowId } from '@orchestrator/workflows/client';
import type { AnchorRun } from '../clients/anchor-workflow.js';
import type { CompletedSession } from '../clients/sessions.js';
import { describePhases, fetchPhases, medianPhases, type Phases } from '../core/history-phases.js';

/** What each phase of a session is, and what would make it cheaper. */
const REMEDIES: Record<string, string> = {
  prepareWorkspace:
    'prepareWorkspace runs four git processes for a fresh workspace (one check of the source, `git clone`, which is itself git, sh and upload-pack, the session branch, HEAD), spawned by a helper process so the worker does not fork: a cached mirror per repository and a workspace made from it without the clone transport (`git worktree add`, or init + alternates + read-tree) would leave about two',
  runAgentStep:
    "runAgentStep spawns the agent (from the worker itself: the fork blocks its event loop) plus two git processes for a no-op step (HEAD before, in run-agent-step.ts, and one `git status` for the commit) and records the attempt in Postgres (insert, then update): the agent spawned through a helper process like git, HEAD taken from the commit's status, and the ledger row written without waiting, would cut the no-op step to the agent itself",
  publishStatus:
    'the terminal status is still its own activity round trip (scheduled, polled, completed, then a workflow task), kept regular so that Temporal already answers "completed" when viewers hear it; "running" is a local activity: the gateway announcing the close from visibility or the workflow result would remove the last round trip',
  'workflow tasks':
    'every activity completion wakes the workflow for one more workflow task, each heavier than the anchor’s (more workflow code and interceptors run in it): fewer activities per session means fewer tasks',
  'start call (POST vs client.start)':
    'POST /api/sessions does more than start the workflow: it looks the agent up in Postgres, checks the repository, passes the rate limiter and writes the audit trail to Postgres before it answers; writing the audit row without waiting for it, and caching the agent registry, would leave the workflow start',
};

export interface PhaseComparison {
  session: Phases;
  anchor: Phases;
  /** Phases sorted by how much of the session's extra time they explain. */
  contributors: Array<{ phase: string; ms: number }>;
}

export async function comparePhases(
  client: Client,
  sessions: CompletedSession[],
  anchors: AnchorRun[],
  sample = 20,
): Promise<PhaseComparison> {
  const pick = <T>(items: T[]) => items.slice(0, sample);
  const session = medianPhases(
    await Promise.all(
      pick(sessions).map((run) =>
        fetchPhases(client, sessionWorkflowId(run.id), {
          startedAt: run.postedAt,
          observedAt: run.completedAt,
        }),
      ),
    ),
  );
  const anchor = medianPhases(
    await Promise.all(
      pick(anchors).map((run) =>
        fetchPhases(client, run.workflowId, {
          startedAt: run.startedAt,
          observedAt: run.completedAt,
        }),
      ),
    ),
  );
  const anchorActivityMs = Object.values(anchor.activities).reduce(
    (sum, a) => sum + a.runMs + a.queueMs,
    0,
  );
  const contributors = [
    {
      phase: 'workflow tasks',
      ms:
        session.workflowTasks.runMs +
        session.workflowTasks.queueMs -
        (anchor.workflowTasks.runMs + anchor.workflowTasks.queueMs),
    },
    ...Object.entries(session.activities).map(([phase, a]) => ({ phase, ms: a.runMs + a.queueMs })),
    { phase: 'the anchor’s own activity', ms: -anchorActivityMs },
    { phase: 'start call (POST vs client.start)', ms: session.startCallMs - anchor.startCallMs },
  ].sort((a, b) => b.ms - a.ms);
  return { session, anchor, contributors };
}

export function phaseNotes(comparison: PhaseComparison, missed: boolean): string[] {
  const notes = [
    `session, median history breakdown: ${describePhases(comparison.session)}`,
    `anchor: ${describePhases(comparison.anchor)}`,
  ];
  const perTask = (p: Phases) => p.workflowTasks.runMs / Math.max(1, p.workflowTasks.count);
  notes.push(
    `a workflow task runs ${perTask(comparison.session).toFixed(1)} ms in a session against ${perTask(comparison.anchor).toFixed(1)} ms in the anchor`,
  );
  if (!missed) return notes;
  const top = comparison.contributors.filter((c) => c.ms > 1).slice(0, 4);
  notes.push(
    `why: the extra time is mostly ${top.map((c) => `${c.phase} (${c.ms.toFixed(0)} ms)`).join(', ')}`,
  );
  for (const { phase } of top) {
    const remedy = REMEDIES[phase];
    if (remedy) notes.push(`to close it: ${remedy}`);
  }
  return notes;
}
