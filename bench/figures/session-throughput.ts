/**
 * Figure: completed sessions per second with 50 in flight (500 sessions), against the minimal
 * workflow at 50 in flight. Each lane starts its next run as soon as its last one completed.
 * The CPU each process spent per completed run is the profile: on 2 cores, CPU is the ceiling.
 */
import { availableParallelism } from 'node:os';
import { runAnchorWorkflow } from '../clients/anchor-workflow.js';
import { runSession } from '../clients/sessions.js';
import {
  describeCpu,
  machineBusyShare,
  ownCpuMs,
  startCpuMeter,
  type CpuUsage,
} from '../core/cpu-meter.js';
import { makeFigure, targets, type Figure } from '../core/figure.js';
import { runPool } from '../core/pool.js';
import { RunFailures } from '../core/run-failures.js';
import { BENCH_AGENTS } from '../stack/agents.js';
import type { BenchContext } from './context.js';

interface Measured {
  perSecond: number;
  completed: number;
  cpu: CpuUsage;
  failures: RunFailures;
}

async function measure(
  ctx: BenchContext,
  label: string,
  run: () => Promise<unknown>,
): Promise<Measured> {
  const { options, progress, stack } = ctx;
  const total = options.throughputSessions;
  const failures = new RunFailures();
  const meter = startCpuMeter(stack.processes());
  const started = performance.now();
  await runPool(
    total,
    options.throughputConcurrency,
    () => run().catch((error: unknown) => failures.record(error)),
    (done) => progress.count(`throughput ${label}`, done, total, 'finished'),
  );
  const seconds = (performance.now() - started) / 1000;
  failures.check(total, label);
  const completed = total - failures.count;
  return { perSecond: completed / seconds, completed, cpu: meter(), failures };
}

export async function measureSessionThroughput(ctx: BenchContext): Promise<Figure[]> {
  const { stack, options, socket } = ctx;
  const sessions = await measure(ctx, 'sessions', () =>
    runSession(stack, socket, BENCH_AGENTS.noop.name, 'no-op'),
  );
  const anchor = await measure(ctx, 'anchor', () => runAnchorWorkflow(stack.client));
  const target = targets.ratioAtLeast(0.8);
  const missed = !target.check(sessions.perSecond, anchor.perSecond);
  const n = options.throughputSessions;
  const cores = availableParallelism();
  const sessionCpu = ownCpuMs(sessions.cpu) / sessions.completed;
  const anchorCpu = ownCpuMs(anchor.cpu) / anchor.completed;
  const notes = [
    `${n} runs each, ${options.throughputConcurrency} in flight; sessions first, then the anchor`,
    `sessions: ${describeCpu(sessions.cpu, sessions.completed, 'session')}`,
    `anchor: ${describeCpu(anchor.cpu, anchor.completed, 'workflow')}`,
    ...[sessions.failures.note(n, 'sessions'), anchor.failures.note(n, 'anchor workflows')].filter(
      (note): note is string => note !== null,
    ),
  ];
  if (missed) {
    const [top] = Object.entries(sessions.cpu.byProcess).sort((a, b) => b[1] - a[1]);
    const busy = machineBusyShare(sessions.cpu);
    notes.push(
      `why: a session costs ${sessionCpu.toFixed(0)} ms of CPU in this run's processes against the anchor's ${anchorCpu.toFixed(0)} ms, ` +
        `the largest share in ${top?.[0]} (${((top?.[1] ?? 0) / sessions.completed).toFixed(0)} ms per session, its agents and git included); ` +
        (busy >= 0.85
          ? `the machine was ${Math.round(busy * 100)}% busy, so CPU is the ceiling: ≈ ${((cores * 1000) / sessionCpu).toFixed(1)} sessions/s if the run had the ${cores} cores to itself`
          : `the machine was only ${Math.round(busy * 100)}% busy, so the ceiling is the session's serial path (each lane waits for its session's activities and workflow tasks one after another)`),
      'to close it: the remedies of the latency figure (no clone per session, no fork of the worker per agent, fewer activities per session) cut both the CPU and the serial path of a session',
    );
  }
  return [
    makeFigure({
      id: 'session-throughput',
      title: `completed sessions per second, ${options.throughputConcurrency} in flight (${n} sessions)`,
      unit: 'sessions/s',
      value: sessions.perSecond,
      anchor: {
        label: `minimal workflow + 1 activity, ${options.throughputConcurrency} in flight`,
        value: anchor.perSecond,
      },
      target,
      notes,
      details: {
        sessions: { ...sessions, failures: sessions.failures.count },
        anchor: { ...anchor, failures: anchor.failures.count },
      },
    }),
  ];
}
