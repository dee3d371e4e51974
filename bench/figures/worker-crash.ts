/**
 * Figure: a worker killed with SIGKILL in the middle of an agent step, and the time until the step
 * runs again on another worker, against the step's heartbeat timeout. Crash workers run as
 * replicas would (one more than there are rounds, all polling the `bench-crash` agent): each
 * round starts a step, asks Temporal which worker runs it (the attempt's worker identity carries
 * its pid), kills that one, and the clock runs from the kill to the new attempt's first log line
 * on a surviving replica ("▶ step …", written just before the agent is spawned again).
 */
import { sessionWorkflowId } from '@orchestrator/workflows/client';
import type { NodeService } from '../../scripts/node-service.js';
import { SessionLog } from '../clients/session-log.js';
import { startSession } from '../clients/sessions.js';
import { makeFigure, targets, type Figure } from '../core/figure.js';
import { BENCH_AGENTS, tickerGoal } from '../stack/agents.js';
import type { BenchStack } from '../stack/bench-stack.js';
import type { BenchContext } from './context.js';

/** The crash worker whose identity (`worker@host:<pid>`) started the session's running step. */
async function runningWorker(
  stack: BenchStack,
  sessionId: string,
  workers: NodeService[],
): Promise<NodeService> {
  const description = await stack.client.workflow
    .getHandle(sessionWorkflowId(sessionId))
    .describe();
  const step = (description.raw.pendingActivities ?? []).find(
    (activity) => activity.activityType?.name === 'runAgentStep',
  );
  const identity = step?.lastWorkerIdentity ?? '';
  const worker = workers.find((w) => new RegExp(`:${w.pid}(?!\\d)`).test(identity));
  if (!worker) {
    throw new Error(
      `the step of session ${sessionId} runs on "${identity}", none of the crash workers (${workers.map((w) => w.pid).join(', ')})`,
    );
  }
  return worker;
}

const stepStarts = (log: SessionLog) =>
  log.logs.filter((m) => m.stream === 'system' && m.line.startsWith('▶ step'));

export async function measureWorkerCrash(ctx: BenchContext): Promise<Figure[]> {
  const { stack, options, progress, socket } = ctx;
  const heartbeatMs = options.heartbeatTimeoutMs;
  const recoveriesMs: number[] = [];
  progress.say('crash', `starting ${options.crashRepeats + 1} crash workers (replicas)…`);
  let alive = await Promise.all(
    Array.from({ length: options.crashRepeats + 1 }, () => stack.startCrashWorker()),
  );
  try {
    for (let round = 1; round <= options.crashRepeats; round += 1) {
      // Ticks for far longer than the measurement; the session is stopped afterwards.
      const { id } = await startSession(
        stack,
        BENCH_AGENTS.crash.name,
        tickerGoal(Math.ceil((heartbeatMs + 300_000) / 100), 100),
      );
      const log = new SessionLog(socket, id);
      try {
        await log.until('first tick', (l) => l.logs.some((m) => m.stream === 'stdout'), 60_000);
        const victim = await runningWorker(stack, id, alive);
        const killedAt = Date.now();
        await victim.kill();
        alive = alive.filter((worker) => worker !== victim);
        await log.until(
          'second start of the step',
          (l) => stepStarts(l).length >= 2,
          heartbeatMs + 60_000,
        );
        const recovered = stepStarts(log)[1]!.ts - killedAt;
        recoveriesMs.push(recovered);
        progress.say(
          'crash',
          `round ${round}/${options.crashRepeats}: step running again ${(recovered / 1000).toFixed(2)} s after kill -9 (heartbeat timeout ${heartbeatMs / 1000} s)`,
        );
        // Force stop (terminate): a cancel would wait for the step's next heartbeat to reach
        // the agent (up to 0.8 × the heartbeat timeout), time this figure does not need.
        const stop = await stack.api(`/api/sessions/${id}/stop?force=true`, { method: 'POST' });
        if (stop.status !== 202) {
          throw new Error(`stopping session ${id} answered ${stop.status}: ${await stop.text()}`);
        }
      } finally {
        log.close();
      }
    }
  } finally {
    await Promise.all(alive.map((worker) => worker.stop()));
  }
  const worst = Math.max(...recoveriesMs) / 1000;
  const target = targets.anchorPlus(2, 's');
  const notes = [
    `${options.crashRepeats} rounds; each: ${recoveriesMs.map((ms) => `${(ms / 1000).toFixed(2)} s`).join(', ')} (the worst is the figure)`,
    'the heartbeat timeout of the bench is --heartbeat-timeout-ms (production default 30 s); the server times the attempt out that long after its last recorded heartbeat, which the SDK throttles to at most every 0.8 × timeout, so recovery can come sooner than the timeout after the kill',
    'after the timeout: the retry waits its initial interval (1 s), then the new attempt kills the orphaned agent of the dead worker before it starts the agent again',
  ];
  if (!target.check(worst, heartbeatMs / 1000)) {
    notes.push(
      'why: beyond the timeout come the retry’s 1 s initial interval, task dispatch, and the orphan kill (SIGTERM, then SIGKILL after its grace) before the new agent starts',
      'to close it: a shorter first retry interval for agent steps, and killing the orphan without waiting when its process group is already gone',
    );
  }
  return [
    makeFigure({
      id: 'worker-crash-recovery',
      title: 'worker killed (SIGKILL) mid-step → the step running again, worst of rounds',
      unit: 's',
      value: worst,
      anchor: { label: 'the step’s heartbeat timeout', value: heartbeatMs / 1000 },
      target,
      notes,
      details: { recoveriesMs, heartbeatTimeoutMs: heartbeatMs },
    }),
  ];
}
