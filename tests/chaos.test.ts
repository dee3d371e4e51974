/**
 * The chaos run of `npm run chaos`, small: 10 sessions through one kill -9 of the worker, one of
 * the gateway, one Temporal restart and one Redis restart, then the same invariants as the full
 * run. First, the checks themselves on hand-made logs, so a check that cannot fail cannot pass
 * the run.
 */
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { Context } from '@temporalio/activity';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { dynamicConfigArgs } from '@orchestrator/temporal-config';
import type { AgentStepResult, PrepareWorkspaceInput } from '@orchestrator/activities/contracts';
import {
  agentTaskQueue,
  CUSTOM_SEARCH_ATTRIBUTES,
  ORCHESTRATOR_TASK_QUEUE,
  SessionStatusKey,
  sessionWorkflowId,
  type SessionInput,
} from '@orchestrator/workflows/client';
import {
  checkDelivery,
  checkSessionLog,
  serverErrorsOutsideDowntime,
  type LogRecord,
} from '../bench/chaos/checks.js';
import { DEFAULT_CHAOS_OPTIONS, parseChaosOptions } from '../bench/chaos/options.js';
import { formatChaosReport } from '../bench/chaos/report.js';
import { outagePlan, runChaos } from '../bench/chaos/scenario.js';
import { eventually, sharedWorkflowBundle } from './support/stack.js';

let nextId = 0;
const log = (line: string, stream = 'stdout'): LogRecord => ({
  id: `1700000000000-${nextId++}`,
  stream,
  line,
});
const attempt = (pid: number, numbers: number[]) =>
  numbers.map((n) => log(`chaos ${pid} line ${n}`));

describe('chaos checks', () => {
  it('accept a crashed attempt cut short followed by a complete one, even interleaved', () => {
    const lines = [
      log('▶ step 1', 'system'),
      ...attempt(11, [1, 2]),
      log('▶ step 1', 'system'),
      ...attempt(22, [1]),
      ...attempt(11, [3]),
      ...attempt(22, [2, 3]),
    ];
    expect(checkSessionLog(lines, 'complete', 3)).toEqual({
      numbered: 6,
      attempts: 2,
      problems: [],
    });
  });

  it('flag a missing line, a duplicate, an incomplete last attempt and stray output', () => {
    expect(checkSessionLog(attempt(1, [1, 3]), 'complete', 3).problems).toEqual([
      'attempt 1: line 3 where line 2 belongs (1 missing)',
      'the last attempt printed 2 numbered lines; expected all 3',
    ]);
    expect(checkSessionLog(attempt(1, [1, 2, 2, 3]), 'fail', 3).problems[0]).toMatch(
      /line 2 where line 3 belongs \(a duplicate/,
    );
    expect(checkSessionLog(attempt(1, [1, 2]), 'cancel', 3).problems).toEqual([]);
    expect(checkSessionLog([log('garbage')], 'cancel', 3).problems[0]).toMatch(/unexpected stdout/);
    const [first, second] = attempt(1, [1, 2]);
    expect(checkSessionLog([second!, first!], 'cancel', 3).problems[0]).toMatch(
      /strictly increase/,
    );
  });

  it('flag WebSocket deliveries that miss, repeat, add or reorder entries', () => {
    expect(checkDelivery(['1-0', '1-1'], ['1-0', '1-1'])).toEqual([]);
    expect(checkDelivery(['1-0', '1-1', '1-1'], ['1-0', '1-1'])[0]).toMatch(/more than once/);
    expect(checkDelivery(['1-0'], ['1-0', '1-1'])[0]).toMatch(/never received/);
    expect(checkDelivery(['1-0', '2-0'], ['1-0'])[0]).toMatch(/not in the archive/);
    expect(checkDelivery(['1-1', '1-0'], ['1-0', '1-1'])[0]).toMatch(/different order/);
  });

  it('count a 5xx as an outage error only when it overlaps the outage or its grace', () => {
    const call = (startedAt: number, status: number | null) => ({
      method: 'GET',
      path: '/api/sessions',
      startedAt,
      endedAt: startedAt + 10,
      status,
    });
    const outside = serverErrorsOutsideDowntime(
      [
        call(50, 500),
        call(150, 503),
        call(240, 503),
        call(400, 500),
        call(400, 200),
        call(400, null),
      ],
      [{ target: 'temporal', from: 100, to: 200 }],
      50,
    );
    expect(outside.map((c) => c.startedAt)).toEqual([50, 400]);
  });

  it('interleave the outages and read the options', () => {
    expect(outagePlan(DEFAULT_CHAOS_OPTIONS)).toEqual([
      'worker',
      'gateway',
      'temporal',
      'redis',
      'worker',
      'gateway',
      'worker',
      'gateway',
    ]);
    expect(parseChaosOptions(['--sessions', '7', '--redis-restarts', '0'])).toMatchObject({
      sessions: 7,
      redisRestarts: 0,
      workerKills: 3,
    });
    expect(() => parseChaosOptions(['--sessions', '0'])).toThrow(
      /--sessions must be an integer ≥ 1/,
    );
  });
});

describe('chaos run', () => {
  it('keeps every session, log line and WebSocket delivery through kills and restarts', async () => {
    const report = await runChaos(
      {
        ...DEFAULT_CHAOS_OPTIONS,
        sessions: 10,
        lines: 30,
        startIntervalMs: 600,
        workerKills: 1,
        gatewayKills: 1,
        temporalRestarts: 1,
        redisRestarts: 1,
        minGapMs: 1_000,
      },
      inject('temporalCli'),
      (line) => console.log(`[chaos] ${line}`),
    );
    console.log(formatChaosReport(report));
    expect(report.problems).toEqual([]);
    expect(report.outages.map((window) => window.target).sort()).toEqual([
      'gateway',
      'redis',
      'temporal',
      'worker',
    ]);
    expect(report.sessions).toMatchObject({
      total: 10,
      listed: 10,
      asPlanned: { complete: 8, fail: 1, cancel: 1 },
    });
    expect(report.logs.complete).toBe(10);
    expect(report.websocket.exactlyOnce).toBe(10);
    // The gateway kill dropped every socket: each client resumed from its last id.
    expect(report.websocket.reconnectedExactlyOnce).toBeGreaterThan(0);
    expect(report.agentProcessesLeft).toBe(0);
    expect(report.api.serverErrorsOutside).toBe(0);
  }, 600_000);
});

describe('what the chaos run found', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    const cli = inject('temporalCli');
    if (cli.type !== 'existing-path')
      throw new Error('these tests need a provisioned Temporal CLI');
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: cli.path },
        searchAttributes: [...CUSTOM_SEARCH_ATTRIBUTES],
        extraArgs: dynamicConfigArgs(),
      },
    });
  });
  afterAll(async () => {
    await env?.teardown();
  });

  const done: AgentStepResult = {
    exitCode: 0,
    summary: 'done',
    commitSha: null,
    changed: false,
    lines: 0,
    durationMs: 1,
  };
  let sessions = 0;

  /**
   * The real session workflow on stand-in activities that misbehave the way a crash or an
   * overloaded worker makes the real ones misbehave; `drive` gets the session's handle.
   */
  async function runSession<T>(
    activities: {
      prepareWorkspace?: (input: PrepareWorkspaceInput) => Promise<unknown>;
      runAgentStep?: () => Promise<AgentStepResult>;
    },
    drive: (handle: WorkflowHandle) => Promise<T>,
  ): Promise<{ outcome: T; published: string[] }> {
    const common = {
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      shutdownGraceTime: '1s',
    };
    const published: string[] = [];
    const orchestrator = await Worker.create({
      ...common,
      taskQueue: ORCHESTRATOR_TASK_QUEUE,
      workflowBundle: await sharedWorkflowBundle(),
      activities: {
        prepareWorkspace:
          activities.prepareWorkspace ??
          (async (input: PrepareWorkspaceInput) => ({
            path: '/stand-in',
            branch: `session/${input.sessionId}`,
            baseSha: null,
          })),
        publishStatus: async ({ status }: { status: string }) => {
          published.push(status);
        },
      },
    });
    const agent = await Worker.create({
      ...common,
      taskQueue: agentTaskQueue('stand-in'),
      activities: { runAgentStep: activities.runAgentStep ?? (async () => done) },
    });
    sessions += 1;
    const input: SessionInput = {
      sessionId: `found${sessions}`,
      title: 'stand-in session',
      goal: 'misbehave',
      repository: '/stand-in',
      agent: 'stand-in',
      options: { heartbeatTimeoutMs: 2_000 },
    };
    const outcome = await orchestrator.runUntil(
      agent.runUntil(async () => {
        const handle = await env.client.workflow.start('session', {
          taskQueue: ORCHESTRATOR_TASK_QUEUE,
          workflowId: sessionWorkflowId(input.sessionId),
          args: [input],
          typedSearchAttributes: [{ key: SessionStatusKey, value: 'pending' }],
        });
        return drive(handle);
      }),
    );
    return { outcome, published };
  }

  it('retries prepareWorkspace after the heartbeat timeout when its worker died', async () => {
    const prepareAttempts: number[] = [];
    const { outcome } = await runSession(
      {
        // Attempt 1 does what it would on a worker killed mid-clone: no heartbeat, no answer.
        prepareWorkspace: async (input) => {
          const { attempt } = Context.current().info;
          prepareAttempts.push(attempt);
          if (attempt === 1) await Context.current().cancelled;
          return { path: '/stand-in', branch: `session/${input.sessionId}`, baseSha: null };
        },
      },
      // Without a heartbeat timeout this waits out the 10-minute start-to-close timeout.
      (handle) => handle.result(),
    );
    expect(outcome.status).toBe('completed');
    expect(prepareAttempts).toEqual([1, 2]);
  });

  it('ends a session stopped while its step fails as cancelled, and says so', async () => {
    const { outcome, published } = await runSession(
      {
        // Stopping the agent goes wrong (on an overloaded worker: a heartbeat timeout).
        runAgentStep: async () => {
          const context = Context.current();
          const beats = setInterval(() => context.heartbeat(), 100);
          try {
            await context.cancelled;
          } catch {
            throw ApplicationFailure.retryable('the agent died while being stopped');
          } finally {
            clearInterval(beats);
          }
          return done;
        },
      },
      async (handle) => {
        await eventually(async () => {
          const history = await handle.fetchHistory();
          return history.events?.some((e) => e.activityTaskStartedEventAttributes) || undefined;
        });
        await handle.cancel();
        const error = await handle.result().catch((e: unknown) => e);
        const description = await handle.describe();
        return { error, description };
      },
    );
    expect(outcome.error).toBeInstanceOf(WorkflowFailedError);
    expect((outcome.error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(outcome.description.status.name).toBe('CANCELLED');
    expect(outcome.description.typedSearchAttributes.get(SessionStatusKey)).toBe('cancelled');
    expect(published).toEqual(['running', 'cancelled']);
  });
});
