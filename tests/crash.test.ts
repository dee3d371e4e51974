/**
 * A worker killed with SIGKILL in the middle of an agent step: a new worker picks the step up
 * after the heartbeat timeout, kills the orphaned agent, runs it again, and the session completes.
 */
import { readFile } from 'node:fs/promises';
import { Client, Connection } from '@temporalio/client';
import type { AgentConfig } from '@orchestrator/activities/agents/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepHeartbeatWhere } from './support/agent-sessions.js';
import { isAlive, testAgents } from './support/agents.js';
import { eventually, startStack, type Stack } from './support/stack.js';
import { isLog, TestSocket } from './support/ws-client.js';

/**
 * Reports what it spent at once (like a model's first turn); its first attempt then works on
 * until it is killed, so the worker dies mid-step however slow the machine; the retry ends.
 */
const metered: AgentConfig = {
  name: 'metered',
  kind: 'command',
  description: 'reports 700 + 70 tokens; the first attempt then hangs, a later one exits 0',
  command: [
    'sh',
    '-c',
    'echo \'ORCHESTRATOR_USAGE {"inputTokens":700,"outputTokens":70}\'; if [ ! -e metered.started ]; then touch metered.started; while true; do echo working; sleep 0.2; done; fi; echo done',
  ],
};

let stack: Stack;
let connection: Connection | undefined;
beforeAll(async () => {
  stack = await startStack({
    agents: [...testAgents, metered],
    worker: 'none',
    heartbeatTimeoutMs: 3000,
  });
});
afterAll(async () => {
  await connection?.close();
  await stack?.stop();
});

async function startSession(agent: string): Promise<string> {
  const response = await stack.api('/api/sessions', {
    method: 'POST',
    json: { title: 'crash', goal: 'survive', repository: stack.sampleRepository, agent },
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

async function waitForCompletion(id: string): Promise<void> {
  const completed = await eventually(
    async () => {
      const detail = (await (await stack.api(`/api/sessions/${id}`)).json()) as {
        status: string;
      };
      if (detail.status === 'completed') return true;
      return detail.status === 'failed' ? false : undefined;
    },
    90_000,
    'the session to complete on the new worker',
  );
  expect(completed).toBe(true);
}

describe('worker process', () => {
  it('serves /healthz, /readyz and /metrics, and exits cleanly on SIGTERM', async () => {
    // Before any worker runs, a session's detail says its state is unknown (not empty).
    const waiting = await startSession('echo');
    const unknown = (await (await stack.api(`/api/sessions/${waiting}`)).json()) as {
      stateAvailable: boolean;
      checkpoints: unknown[];
    };
    expect(unknown).toMatchObject({ stateAvailable: false, checkpoints: [] });

    const worker = await stack.startWorkerProcess();
    await waitForCompletion(waiting);
    const known = (await (await stack.api(`/api/sessions/${waiting}`)).json()) as {
      stateAvailable: boolean;
      checkpoints: unknown[];
    };
    expect(known.stateAvailable).toBe(true);
    expect(known.checkpoints).toHaveLength(1);
    const base = `http://127.0.0.1:${stack.env.WORKER_METRICS_PORT}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    const readiness = (await ready.json()) as { workers: Record<string, string> };
    expect(readiness.workers).toMatchObject({ orchestrator: 'RUNNING', 'agent-echo': 'RUNNING' });
    expect(await (await fetch(`${base}/metrics`)).text()).toContain(
      'orchestrator_agent_steps_total',
    );

    worker.child.kill('SIGTERM');
    const result = await worker.child;
    expect(result.exitCode).toBe(0);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});

describe('worker crash', () => {
  it('completes the session after kill -9 of the worker running its step', async () => {
    const first = await stack.startWorkerProcess();
    const id = await startSession('steady');

    const socket = await TestSocket.open(stack.wsUrl);
    socket.send({ type: 'subscribe', sessionId: id });
    await socket.waitFor((m) => isLog(m) && m.line === 'tick 3');
    const pidFile = `${stack.settings.workspacesDir}/${id}/pids.txt`;
    const firstAgentPid = Number((await readFile(pidFile, 'utf8')).trim().split('\n')[0]);
    expect(isAlive(firstAgentPid)).toBe(true);

    first.child.kill('SIGKILL');
    await first.child;
    const second = await stack.startWorkerProcess();

    await waitForCompletion(id);
    await socket.close();

    const pids = (await readFile(pidFile, 'utf8')).trim().split('\n').map(Number);
    expect(pids.length).toBe(2); // the step ran again on the new worker
    expect(isAlive(firstAgentPid)).toBe(false); // and the orphan of the dead worker is gone
    const detail = (await (await stack.api(`/api/sessions/${id}`)).json()) as {
      checkpoints: Array<{ exitCode: number; commitSha: string }>;
    };
    expect(detail.checkpoints).toHaveLength(1);
    expect(detail.checkpoints[0]?.exitCode).toBe(0);
    // The next test kills the worker running its step: this one must not be a candidate.
    second.child.kill('SIGTERM');
    await second.child;
  });

  it("counts what the killed attempt had spent by its last heartbeat in the session's usage", async () => {
    const first = await stack.startWorkerProcess();
    const id = await startSession('metered');
    connection = await Connection.connect({ address: stack.temporal.address });
    // Kill only once Temporal holds a heartbeat with the usage: what a dead worker leaves behind.
    await stepHeartbeatWhere(
      new Client({ connection }),
      id,
      (heartbeat) => heartbeat.usage !== undefined,
      'a heartbeat carrying the reported usage',
      20_000,
    );
    first.child.kill('SIGKILL');
    await first.child;
    const second = await stack.startWorkerProcess();
    await waitForCompletion(id);
    second.child.kill('SIGTERM');
    await second.child;

    const detail = (await (await stack.api(`/api/sessions/${id}`)).json()) as {
      tokensUsed: number;
      usage: { tokens: number };
    };
    // Both attempts reported 700 + 70: the lost one is counted, not dropped.
    expect(detail.usage.tokens).toBe(1540);
    expect(detail.tokensUsed).toBe(1540);
    const rows = await stack.storage.db
      .selectFrom('agent_steps')
      .select(['attempt', 'outcome', 'input_tokens'])
      .where('session_id', '=', id)
      .orderBy('attempt')
      .execute();
    expect(rows.map((row) => [row.attempt, row.outcome, Number(row.input_tokens)])).toEqual([
      [1, 'lost', 700],
      [2, 'succeeded', 700],
    ]);
  });
});
