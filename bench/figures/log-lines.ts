/**
 * Figures: log lines from an agent to a WebSocket client. Throughput (lines/s, as fast as the
 * agent can print) and latency at a steady 10,000 lines/s (p99, produced → received), each
 * against XADD → XREAD on the same Redis with the same lines from a producer process of its own.
 *
 * Orchestrator path: agent stdout → worker (line split, log writer batches, one XADD script per batch to Redis,
 * then INSERT into the Postgres archive) → gateway (XREAD, one JSON frame per line) → client.
 */
import { join } from 'node:path';
import { startNodeService } from '../../scripts/node-service.js';
import { createRedisLogBus } from '@orchestrator/activities/logs/redis-bus';
import { startSession } from '../clients/sessions.js';
import {
  describeCpu,
  machineBusyShare,
  ownCpuMs,
  startCpuMeter,
  type CpuUsage,
} from '../core/cpu-meter.js';
import { makeFigure, targets, type Figure, type TargetRule } from '../core/figure.js';
import type { EmitPlan } from '../log-lines/line-format.js';
import { LineTracker, type LineRunResult } from '../log-lines/line-tracker.js';
import { readStream } from '../log-lines/stream-reader.js';
import { BENCH_AGENTS } from '../stack/agents.js';
import { ROOT } from '../stack/bench-stack.js';
import type { BenchContext } from './context.js';

interface Run extends LineRunResult {
  cpu: CpuUsage;
  /** Why the run did not end with every line delivered and the session completed; null if it did. */
  problem: string | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Lines of the step's first attempt only: if the attempt fails and Temporal runs the step again,
 * the agent prints from line 1 anew, and the run stops there with the reason.
 */
function followLines(
  ctx: BenchContext,
  sessionId: string,
  tracker: LineTracker,
  timeoutMs: number,
): Promise<string | null> {
  return new Promise((resolve) => {
    let starts = 0;
    let unsubscribe = () => {};
    const finish = (problem: string | null) => {
      clearTimeout(timer);
      unsubscribe();
      resolve(problem);
    };
    const timer = setTimeout(
      () => finish(`the session did not complete within ${timeoutMs / 1000} s`),
      timeoutMs,
    );
    unsubscribe = ctx.socket.watch(sessionId, {
      onLog: (message, receivedAt) => {
        if (message.stream === 'stdout') tracker.add(message.line, receivedAt);
        else if (message.stream === 'system' && message.line.startsWith('▶ step')) {
          starts += 1;
          if (starts > 1) {
            finish('the step’s first attempt failed and Temporal started the step again');
          }
        }
      },
      onStatus: (message) => {
        if (message.status === 'completed') finish(null);
        else if (message.status === 'failed' || message.status === 'cancelled') {
          finish(`the session ended ${message.status}: ${message.detail ?? ''}`);
        }
      },
      onError: (error) => finish(error.message),
    });
  });
}

/** Waits until nothing more is appended to the session's log (a failed attempt may still flush). */
async function untilQuiet(ctx: BenchContext, sessionId: string): Promise<void> {
  const bus = createRedisLogBus({ url: ctx.stack.redisUrl, keyPrefix: ctx.stack.redisPrefix });
  try {
    let after: string | undefined;
    const deadline = Date.now() + 300_000;
    for (let quietSince = Date.now(); Date.now() - quietSince < 3_000;) {
      if (Date.now() > deadline) return;
      const entries = await bus.read(sessionId, { ...(after ? { after } : {}), limit: 10_000 });
      if (entries.length > 0) {
        after = entries.at(-1)!.id;
        quietSince = Date.now();
      }
      await sleep(500);
    }
  } finally {
    await bus.close();
  }
}

async function throughOrchestrator(ctx: BenchContext, plan: EmitPlan): Promise<Run> {
  const { stack } = ctx;
  const tracker = new LineTracker(plan.count);
  const meter = startCpuMeter(stack.processes());
  const { id } = await startSession(stack, BENCH_AGENTS.lines.name, JSON.stringify(plan));
  const problem = await followLines(ctx, id, tracker, 600_000);
  const cpu = meter();
  if (problem) {
    // Stop the retries, and let what the failed attempt still ships drain before the next run.
    await stack.api(`/api/sessions/${id}/stop`, { method: 'POST' });
    await untilQuiet(ctx, id);
  }
  return { ...tracker.result(), cpu, problem };
}

let anchorRuns = 0;
async function throughRedis(ctx: BenchContext, plan: EmitPlan): Promise<Run> {
  const { stack } = ctx;
  anchorRuns += 1;
  const key = `${stack.redisPrefix}:anchor-lines:${anchorRuns}`;
  const tracker = new LineTracker(plan.count);
  const meter = startCpuMeter(stack.processes());
  const reader = readStream(stack.redisUrl, key, (line, at) => tracker.add(line, at));
  const producer = await startNodeService({
    name: 'redis-producer',
    entry: join(ROOT, 'bench/log-lines/redis-producer.ts'),
    cwd: ROOT,
    env: {
      ...process.env,
      BENCH_PLAN: JSON.stringify(plan),
      BENCH_REDIS_URL: stack.redisUrl,
      BENCH_STREAM_KEY: key,
    },
    readyLine: /producer connected/,
  });
  try {
    const exited = producer.child.then((result) => {
      if (result.exitCode !== 0)
        throw new Error(`the Redis producer failed:\n${producer.output()}`);
    });
    await Promise.all([exited, tracker.done]);
  } finally {
    await producer.kill();
    await reader.stop();
  }
  const cpu = meter();
  // The producer has exited, so it says its own CPU (start-up excluded) as its last line.
  const produced = /producer cpu ([\d.]+)/.exec(producer.output());
  if (produced) cpu.byProcess['redis-producer'] = Number(produced[1]);
  return { ...tracker.result(), cpu, problem: null };
}

/** The anchor must deliver every line in order; the orchestrator's shortfall is a result. */
function checkComplete(label: string, run: Run): void {
  if (run.problem) return;
  if (run.received !== run.planned || run.outOfOrder > 0) {
    throw new Error(
      `${label}: ${run.received} of ${run.planned} lines arrived, ${run.outOfOrder} out of order; ` +
        'a log figure counts only complete, ordered runs',
    );
  }
}

/** A run that did not complete misses its target, whatever its numbers. */
function orFailed(rule: TargetRule, run: Run): TargetRule {
  return run.problem ? targets.custom(rule.text, false) : rule;
}

/** What went wrong in a run that did not complete, and the reason found for it so far. */
function problemNotes(run: Run): string[] {
  if (!run.problem) return [];
  return [
    `the orchestrator's run did not complete: ${run.problem}; the figure covers the ${run.received} of ${run.planned} lines that arrived before`,
    'why: the worker takes the agent’s output without backpressure and ships it at its own pace; once the agent exits, runAgentStep stops heartbeating before it flushes what is still queued, so a flush longer than the heartbeat timeout times the attempt out although the agent succeeded (and every retry prints everything again)',
    'to close it: keep heartbeating until the flush is done (or flush inside the heartbeat loop), and apply backpressure to the agent’s pipe when the writer falls behind',
  ];
}

function perThousand(run: Run): string {
  return describeCpu(run.cpu, run.received / 1000, '1,000 lines');
}

export async function measureLogLines(ctx: BenchContext): Promise<Figure[]> {
  const { options, progress } = ctx;
  const width = options.logLineBytes;
  const flood: EmitPlan = { count: options.logLines, rate: 0, width, delayMs: 500 };
  const paced: EmitPlan = {
    count: options.logRate * options.logSeconds,
    rate: options.logRate,
    width,
    delayMs: 500,
  };
  progress.say('log-lines', `${flood.count} lines as fast as possible through the orchestrator…`);
  const floodOrchestrator = await throughOrchestrator(ctx, flood);
  checkComplete('orchestrator, as fast as possible', floodOrchestrator);
  progress.say('log-lines', `… and straight through Redis (XADD → XREAD)…`);
  const floodRedis = await throughRedis(ctx, flood);
  checkComplete('Redis anchor, as fast as possible', floodRedis);
  progress.say('log-lines', `${paced.count} lines at ${paced.rate}/s through the orchestrator…`);
  const pacedOrchestrator = await throughOrchestrator(ctx, paced);
  checkComplete(`orchestrator at ${paced.rate}/s`, pacedOrchestrator);
  progress.say('log-lines', `… and straight through Redis…`);
  const pacedRedis = await throughRedis(ctx, paced);
  checkComplete(`Redis anchor at ${paced.rate}/s`, pacedRedis);

  const throughputTarget = orFailed(targets.ratioAtLeast(0.5), floodOrchestrator);
  const throughputMissed = !throughputTarget.check(
    floodOrchestrator.linesPerSecond,
    floodRedis.linesPerSecond,
  );
  const latencyTarget = orFailed(targets.atMost(50, 'ms'), pacedOrchestrator);
  const latencyMissed = !latencyTarget.check(pacedOrchestrator.latencyMs.p99, null);
  const throughputNotes = [
    `${flood.count} lines of ${width} characters, printed as fast as possible; rate = lines / (last received − first produced)`,
    ...problemNotes(floodOrchestrator),
    `orchestrator: ${perThousand(floodOrchestrator)}`,
    `anchor: ${perThousand(floodRedis)}`,
  ];
  if (throughputMissed) {
    const busy = machineBusyShare(floodOrchestrator.cpu);
    const cost = (run: Run) => (ownCpuMs(run.cpu) / run.received) * 1000;
    throughputNotes.push(
      `why: ${busy >= 0.85 ? `the run was CPU-bound (the machine ${Math.round(busy * 100)}% busy)` : `the machine was ${Math.round(busy * 100)}% busy`}; ` +
        `1,000 lines cost ${cost(floodOrchestrator).toFixed(0)} ms of CPU in this run's processes through the orchestrator against ${cost(floodRedis).toFixed(0)} ms through Redis alone: ` +
        'the worker splits the pipe into lines (with a redaction and a stall-watchdog touch per line), batches them (up to 1,000 per append, one Lua XADD script each) and archives them in Postgres behind the bus; the gateway decodes every entry and writes one JSON frame per line (a read’s frames leave in one socket write); the client parses each frame. The anchor is one XADD per line pipelined and one XREAD: nothing per line beside Redis',
      'to close it: what is left is per line, not per batch: several lines per WebSocket frame (a contract change: a `logs` message with an array, and the console reading it), fewer fields per stream entry for ioredis to decode (kind/stream/line/ts), and the worker’s per-line work in the agent adapter; --cpu-profile shows the hottest functions of worker and gateway',
    );
  }
  const latencyNotes = [
    `${paced.count} lines at ${paced.rate}/s; latency = received by the WebSocket client − printed by the agent (same clock)`,
    `orchestrator: p50 ${pacedOrchestrator.latencyMs.p50.toFixed(1)} ms, p99 ${pacedOrchestrator.latencyMs.p99.toFixed(1)} ms, max ${pacedOrchestrator.latencyMs.max.toFixed(1)} ms; anchor: p50 ${pacedRedis.latencyMs.p50.toFixed(1)} ms, p99 ${pacedRedis.latencyMs.p99.toFixed(1)} ms`,
    ...problemNotes(pacedOrchestrator),
    `orchestrator delivered ${pacedOrchestrator.linesPerSecond.toFixed(0)} lines/s, the anchor ${pacedRedis.linesPerSecond.toFixed(0)} lines/s`,
    `orchestrator: ${perThousand(pacedOrchestrator)}`,
  ];
  if (latencyMissed) {
    if (pacedOrchestrator.linesPerSecond < 0.95 * paced.rate) {
      latencyNotes.push(
        `why: the orchestrator delivers only ${pacedOrchestrator.linesPerSecond.toFixed(0)} lines/s of the ${paced.rate}/s printed (see the throughput figure), so lines queue in the worker, whose log writer takes them without backpressure, and the latency grows for as long as the burst lasts (p50 ${pacedOrchestrator.latencyMs.p50.toFixed(0)} ms)`,
        'to close it: first the throughput (CPU per line, see that figure)',
      );
    } else {
      latencyNotes.push(
        `why: a line waits in the log writer for up to its 10 ms batch interval, then for the Redis append and the gateway’s next XREAD (p50 ${pacedOrchestrator.latencyMs.p50.toFixed(0)} ms); the tail is scheduling: the anchor’s own p99 here was ${pacedRedis.latencyMs.p99.toFixed(0)} ms, so a machine this busy delays every process in the path`,
        'to close it: a quieter machine (the same figure was 23 ms at load 0.1); the writer’s interval (LogWriterOptions.flushIntervalMs) trades CPU per line against latency',
      );
    }
  }
  return [
    makeFigure({
      id: 'log-throughput',
      title: 'log lines agent → WebSocket client, as fast as possible',
      unit: 'lines/s',
      value: floodOrchestrator.linesPerSecond,
      anchor: { label: 'XADD → XREAD on the same Redis', value: floodRedis.linesPerSecond },
      target: throughputTarget,
      notes: throughputNotes,
      details: { orchestrator: floodOrchestrator, anchor: floodRedis },
    }),
    makeFigure({
      id: 'log-latency-p99',
      title: `log line latency agent → WebSocket client at ${paced.rate} lines/s, p99`,
      unit: 'ms',
      value: pacedOrchestrator.latencyMs.p99,
      anchor: { label: 'XADD → XREAD on the same Redis, p99', value: pacedRedis.latencyMs.p99 },
      target: latencyTarget,
      notes: latencyNotes,
      details: { orchestrator: pacedOrchestrator, anchor: pacedRedis },
    }),
  ];
}
