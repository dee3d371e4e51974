/**
 * The chaos run: sessions start one after another, each followed by its own WebSocket client;
 * meanwhile the worker and the gateway are killed with SIGKILL and Temporal and Redis are
 * restarted, each outage spread over the run; one session in ten is stopped midway. Once every
 * session settled, the run reads back what the system kept and checks it (checks.ts).
 *
 * Session starts never overlap an outage: the API has no idempotency key, so a start whose
 * answer was lost with a killed gateway could not be told from one that never happened. Every
 * other call (stops, reads, the background probe) runs straight through the outages.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TemporalCli } from '@orchestrator/temporal-config';
import { runningAgentProcesses } from './agent-processes.js';
import {
  CHAOS_AGENT_NAMES,
  chaosAgents,
  EXPECTED_STATUS,
  parseNumberedLine,
  planFor,
  type SessionPlan,
} from './chaos-agents.js';
import {
  checkDelivery,
  checkSessionLog,
  serverErrorsOutsideDowntime,
  type ChaosTarget,
  type DownWindow,
  type LogRecord,
} from './checks.js';
import { startChaosCluster, type ChaosCluster } from './cluster.js';
import type { ChaosOptions } from './options.js';
import { RecordingApi } from './recording-api.js';
import { SessionFollower } from './session-follower.js';

export interface ChaosReport {
  options: ChaosOptions;
  durationMs: number;
  outages: DownWindow[];
  sessions: {
    total: number;
    expected: Record<SessionPlan, number>;
    /** Sessions that ended in the status their plan says. */
    asPlanned: Record<SessionPlan, number>;
    /** Sessions the gateway lists (a start counted twice would show here). */
    listed: number;
  };
  logs: { complete: number; numberedLines: number; attempts: number };
  websocket: {
    clients: number;
    reconnected: number;
    reconnects: number;
    refusals: number;
    exactlyOnce: number;
    reconnectedExactlyOnce: number;
  };
  agentProcessesLeft: number;
  api: {
    calls: number;
    noConnection: number;
    serverErrorsDuringOutages: number;
    serverErrorsOutside: number;
  };
  problems: string[];
  runDir: string;
}

interface Tracked {
  index: number;
  id: string;
  plan: SessionPlan;
  follower: SessionFollower;
  status: string | null;
  stopRequested: boolean;
  /** When its client last received a numbered line (0: never). */
  lastLineAt: number;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
/** Numbered lines a session meant to be stopped prints before the stop is sent. */
const LINES_BEFORE_STOP = 5;

export async function runChaos(
  options: ChaosOptions,
  cli: TemporalCli,
  say: (line: string) => void,
): Promise<ChaosReport> {
  const began = Date.now();
  const runDir = await mkdtemp(join(tmpdir(), 'io-chaos-'));
  const cluster = await startChaosCluster({
    cli,
    agents: chaosAgents(options),
    heartbeatTimeoutMs: options.heartbeatTimeoutMs,
    runDir,
    say,
  });
  // Ctrl-C: the database and the processes are ours to remove (the run directory is kept).
  const interrupted = () => {
    say(`interrupted: stopping what the run started; logs stay in ${runDir}`);
    void cluster.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  let report: ChaosReport | undefined;
  try {
    report = await exercise(options, cluster, say, began, runDir);
    return report;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await cluster.stop();
    if (report && report.problems.length === 0 && !options.keep) {
      await rm(runDir, { recursive: true, force: true });
    } else {
      say(`run directory kept: ${runDir} (gateway-*.log, worker-*.log, temporal.log, redis/)`);
    }
  }
}

/** Interleaves the outages so kinds alternate: worker, gateway, temporal, redis, worker, … */
export function outagePlan(options: ChaosOptions): ChaosTarget[] {
  const left: Record<ChaosTarget, number> = {
    worker: options.workerKills,
    gateway: options.gatewayKills,
    temporal: options.temporalRestarts,
    redis: options.redisRestarts,
  };
  const plan: ChaosTarget[] = [];
  while (Object.values(left).some((count) => count > 0)) {
    for (const target of ['worker', 'gateway', 'temporal', 'redis'] as const) {
      if (left[target] > 0) {
        plan.push(target);
        left[target] -= 1;
      }
    }
  }
  return plan;
}

async function exercise(
  options: ChaosOptions,
  cluster: ChaosCluster,
  say: (line: string) => void,
  began: number,
  runDir: string,
): Promise<ChaosReport> {
  const api = new RecordingApi(cluster.gatewayUrl);
  const tracked: Tracked[] = [];
  const problems: string[] = [];
  const elapsed = () => `${Math.round((Date.now() - began) / 1000)}s`;

  // Session starts and outages take turns (see the header).
  let turn: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(action: () => Promise<T>): Promise<T> => {
    const result = turn.then(action);
    turn = result.catch(() => {});
    return result;
  };

  const stopSession = async (session: Tracked) => {
    session.stopRequested = true;
    try {
      const answer = await api.until('POST', `/api/sessions/${session.id}/stop`);
      if (answer.status !== 202) {
        problems.push(
          `stop of ${session.id} answered ${answer.status}: ${JSON.stringify(answer.body)}`,
        );
      }
    } catch (error) {
      problems.push(`stop of ${session.id} failed: ${(error as Error).message}`);
    }
  };
  const stops: Array<Promise<void>> = [];

  const startOne = async (index: number) => {
    const plan = planFor(index);
    const answer = await api.until('POST', '/api/sessions', {
      title: `chaos ${index}`,
      goal: `print numbered lines (${plan})`,
      repository: cluster.sampleRepository,
      agent: CHAOS_AGENT_NAMES[plan],
    });
    if (answer.status !== 201) {
      throw new Error(
        `Starting session ${index} answered ${answer.status}: ${JSON.stringify(answer.body)}`,
      );
    }
    const id = (answer.body as { id: string }).id;
    let numbered = 0;
    const session: Tracked = {
      index,
      id,
      plan,
      status: null,
      stopRequested: false,
      lastLineAt: 0,
      follower: new SessionFollower(cluster.wsUrl, id, (line) => {
        if (!parseNumberedLine(line)) return;
        numbered += 1;
        session.lastLineAt = Date.now();
        if (plan === 'cancel' && numbered >= LINES_BEFORE_STOP && !session.stopRequested) {
          stops.push(stopSession(session));
        }
      }),
    };
    session.follower.start();
    tracked.push(session);
  };

  // Background reads through every outage: lists, one session, readiness.
  let probing = true;
  const probe = (async () => {
    let round = 0;
    while (probing) {
      round += 1;
      const some = tracked[round % Math.max(tracked.length, 1)];
      await Promise.all([
        api.request('GET', '/api/sessions?limit=5'),
        some ? api.request('GET', `/api/sessions/${some.id}`) : null,
        api.request('GET', '/readyz'),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();

  const isPrinting = (s: Tracked) => !s.follower.terminal && Date.now() - s.lastLineAt < 1_000;
  const outages = outagePlan(options);
  let outagesDone = 0;
  const progress = setInterval(() => {
    const settled = tracked.filter((s) => s.status && TERMINAL.has(s.status)).length;
    const reconnects = tracked.reduce((sum, s) => sum + s.follower.reconnects, 0);
    say(
      `[${elapsed()}] started ${tracked.length}/${options.sessions}, settled ${settled} | ` +
        `outages ${outagesDone}/${outages.length} | ws reconnects ${reconnects} | API calls ${api.calls.length}`,
    );
  }, 5_000);

  try {
    const starter = (async () => {
      for (let index = 0; index < options.sessions; index += 1) {
        await exclusive(() => startOne(index));
        await new Promise((resolve) => setTimeout(resolve, options.startIntervalMs));
      }
    })();

    const chaos = (async () => {
      for (const [k, target] of outages.entries()) {
        // Spread over the starts, so sessions are in flight during every outage.
        const threshold = Math.ceil(((k + 1) * options.sessions) / (outages.length + 1));
        while (tracked.length < threshold) await new Promise((resolve) => setTimeout(resolve, 100));
        await new Promise((resolve) => setTimeout(resolve, k === 0 ? 0 : options.minGapMs));
        // An outage is only a test while agents are printing: wait (a while) for one that is.
        const printing = () => tracked.some(isPrinting);
        const patience = Date.now() + 30_000;
        while (!printing() && Date.now() < patience) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await exclusive(async () => {
          const busy = tracked.filter(isPrinting).length;
          say(
            `[${elapsed()}] ${describeOutage(target)} (${tracked.length} sessions started, ${busy} printing)`,
          );
          await disrupt(cluster, target);
          const window = cluster.downtime.at(-1)!;
          say(
            `[${elapsed()}] ${target} back after ${((window.to - window.from) / 1000).toFixed(1)} s`,
          );
        });
        outagesDone += 1;
      }
    })();
    await Promise.all([starter, chaos]);

    // Settle: every session terminal (as Temporal reports it through the gateway).
    const deadline = Date.now() + options.settleTimeoutMs;
    for (;;) {
      const open = tracked.filter((s) => !s.status || !TERMINAL.has(s.status));
      if (open.length === 0) break;
      if (Date.now() > deadline) {
        problems.push(
          `${open.length} sessions not settled after ${options.settleTimeoutMs / 1000} s: ` +
            open
              .slice(0, 5)
              .map((s) => `${s.id} (${s.plan}, ${s.status})`)
              .join(', '),
        );
        break;
      }
      await Promise.all(
        open.map(async (session) => {
          const answer = await api.request('GET', `/api/sessions/${session.id}`);
          if (answer?.status === 200) session.status = (answer.body as { status: string }).status;
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    await Promise.all(stops);
    // The terminal status entry follows the last log line on the stream: once a client has it,
    // it has had every line.
    const followDeadline = Date.now() + 30_000;
    while (tracked.some((s) => !s.follower.terminal) && Date.now() < followDeadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    clearInterval(progress);
    probing = false;
    await probe;
    await Promise.all(tracked.map((s) => s.follower.close()));
  }
  say(`[${elapsed()}] settled; reading archives and checking`);

  const sessionIds = new Set(tracked.map((s) => s.id));
  const agentsLeft = runningAgentProcesses(sessionIds);
  for (const agent of agentsLeft) {
    problems.push(`agent process ${agent.pid} of session ${agent.sessionId} still runs`);
  }

  const expected = { complete: 0, fail: 0, cancel: 0 };
  const asPlanned = { complete: 0, fail: 0, cancel: 0 };
  const logs = { complete: 0, numberedLines: 0, attempts: 0 };
  const websocket = {
    clients: tracked.length,
    reconnected: 0,
    reconnects: 0,
    refusals: 0,
    exactlyOnce: 0,
    reconnectedExactlyOnce: 0,
  };
  for (const session of tracked) {
    expected[session.plan] += 1;
    const wanted = EXPECTED_STATUS[session.plan];
    if (session.status === wanted) asPlanned[session.plan] += 1;
    else
      problems.push(
        `session ${session.id} (${session.plan}) is ${session.status}, expected ${wanted}`,
      );

    const archived = await readArchive(api, session.id);
    const verdict = checkSessionLog(archived, session.plan, options.lines);
    logs.numberedLines += verdict.numbered;
    logs.attempts += verdict.attempts;
    if (verdict.problems.length === 0) logs.complete += 1;
    for (const problem of verdict.problems) problems.push(`log of ${session.id}: ${problem}`);

    const { follower } = session;
    websocket.reconnects += follower.reconnects;
    websocket.refusals += follower.refusals;
    if (follower.reconnects > 0) websocket.reconnected += 1;
    const delivery = checkDelivery(
      follower.logIds,
      archived.map((line) => line.id),
    );
    if (!follower.terminal) delivery.push('never received the terminal status');
    if (delivery.length === 0) {
      websocket.exactlyOnce += 1;
      if (follower.reconnects > 0) websocket.reconnectedExactlyOnce += 1;
    }
    for (const problem of delivery) problems.push(`ws client of ${session.id}: ${problem}`);
  }

  const listed = await countListed(api);
  if (listed !== tracked.length) {
    problems.push(`the gateway lists ${listed} sessions; ${tracked.length} were started`);
  }

  const serverErrors = api.calls.filter((call) => call.status !== null && call.status >= 500);
  const outside = serverErrorsOutsideDowntime(api.calls, cluster.downtime, options.graceMs);
  for (const call of outside.slice(0, 10)) {
    problems.push(
      `${call.status} on ${call.method} ${call.path} at +${((call.startedAt - began) / 1000).toFixed(1)} s, outside every outage`,
    );
  }

  return {
    options,
    durationMs: Date.now() - began,
    outages: [...cluster.downtime],
    sessions: { total: tracked.length, expected, asPlanned, listed },
    logs,
    websocket,
    agentProcessesLeft: agentsLeft.length,
    api: {
      calls: api.calls.length,
      noConnection: api.calls.filter((call) => call.status === null).length,
      serverErrorsDuringOutages: serverErrors.length - outside.length,
      serverErrorsOutside: outside.length,
    },
    problems,
    runDir,
  };
}

function describeOutage(target: ChaosTarget): string {
  return {
    worker: 'kill -9 worker',
    gateway: 'kill -9 gateway',
    temporal: 'restart Temporal',
    redis: 'restart Redis',
  }[target];
}

function disrupt(cluster: ChaosCluster, target: ChaosTarget): Promise<void> {
  switch (target) {
    case 'worker':
      return cluster.killWorker();
    case 'gateway':
      return cluster.killGateway();
    case 'temporal':
      return cluster.restartTemporal();
    case 'redis':
      return cluster.restartRedis();
  }
}

/** The whole archived log of a session, page by page, through GET /api/sessions/:id/logs. */
async function readArchive(api: RecordingApi, sessionId: string): Promise<LogRecord[]> {
  const lines: LogRecord[] = [];
  let after: string | null = null;
  do {
    const query: string = after ? `?limit=5000&after=${after}` : '?limit=5000';
    const answer = await api.until('GET', `/api/sessions/${sessionId}/logs${query}`);
    if (answer.status !== 200) {
      throw new Error(`Reading the log of ${sessionId} answered ${answer.status}`);
    }
    const page = answer.body as { items: LogRecord[]; nextAfter: string | null };
    lines.push(...page.items);
    after = page.nextAfter;
  } while (after);
  return lines;
}

/** Sessions the gateway lists, page by page. */
async function countListed(api: RecordingApi): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const answer = await api.until('GET', `/api/sessions?limit=100${query}`);
    const page = answer.body as { items: unknown[]; nextCursor: string | null };
    count += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  return count;
}
