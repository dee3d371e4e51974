/**
 * A worker killed with SIGKILL in the middle of an agent step: a new worker picks the step up
 * after the heartbeat timeout, kills the orphaned agent, runs it again, and the session completes.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive, testAgents } from './support/agents.js';
import { eventually, startStack, type Stack } from './support/stack.js';
import { isLog, TestSocket } from './support/ws-client.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ agents: testAgents, worker: 'none', heartbeatTimeoutMs: 3000 });
});
afterAll(async () => {
  await stack?.stop();
});

describe('worker process', () => {
  it('serves /healthz, /readyz and /metrics, and exits cleanly on SIGTERM', async () => {
    const worker = await stack.startWorkerProcess();
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
    const response = await stack.api('/api/sessions', {
      method: 'POST',
      json: {
        title: 'crash',
        goal: 'survive',
        repository: stack.sampleRepository,
        agent: 'steady',
      },
    });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };

    const socket = await TestSocket.open(stack.wsUrl);
    socket.send({ type: 'subscribe', sessionId: id });
    await socket.waitFor((m) => isLog(m) && m.line === 'tick 3');
    const pidFile = `${stack.settings.workspacesDir}/${id}/pids.txt`;
    const firstAgentPid = Number((await readFile(pidFile, 'utf8')).trim().split('\n')[0]);
    expect(isAlive(firstAgentPid)).toBe(true);

    first.child.kill('SIGKILL');
    await first.child;
    await stack.startWorkerProcess();

    await eventually(
      async () => {
        const detail = (await (await stack.api(`/api/sessions/${id}`)).json()) as {
          status: string;
        };
        return detail.status === 'completed'
          ? true
          : detail.status === 'failed'
            ? false
            : undefined;
      },
      90_000,
      'the session to complete on the new worker',
    ).then((completed) => expect(completed).toBe(true));
    await socket.close();

    const pids = (await readFile(pidFile, 'utf8')).trim().split('\n').map(Number);
    expect(pids.length).toBe(2); // the step ran again on the new worker
    expect(isAlive(firstAgentPid)).toBe(false); // and the orphan of the dead worker is gone
    const detail = (await (await stack.api(`/api/sessions/${id}`)).json()) as {
      checkpoints: Array<{ exitCode: number; commitSha: string }>;
    };
    expect(detail.checkpoints).toHaveLength(1);
    expect(detail.checkpoints[0]?.exitCode).toBe(0);
  });
});
