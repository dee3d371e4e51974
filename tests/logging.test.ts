/**
 * A worker's log, as a log pipeline reads it: the worker runs as its own process (as in
 * Kubernetes, stdout not a terminal, so JSON lines), and after a real session every line about
 * the session's workflow and activities names the session, the workflow, the run and the
 * activity. Tracing is off here (no OTEL_* variables): the agent gets no TRACEPARENT and no line
 * carries a trace id.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentConfig } from '@orchestrator/activities/agents/types';
import { startNodeService, type NodeService } from '../scripts/node-service.js';
import { eventually, ROOT, startStack, type Stack } from './support/stack.js';

const agent: AgentConfig = {
  name: 'echo',
  kind: 'command',
  description: 'prints the trace context it was given, if any',
  command: ['sh', '-c', 'echo "traceparent=${TRACEPARENT:-none}"'],
};

type LogLine = Record<string, unknown> & { msg: string };

let stack: Stack;
let worker: NodeService;
const lines: LogLine[] = [];

beforeAll(async () => {
  stack = await startStack({ agents: [agent], worker: 'none' });
  worker = await startNodeService({
    name: 'worker',
    entry: join(ROOT, 'worker/src/main.ts'),
    cwd: ROOT,
    // debug: the SDK's activity and workflow lifecycle lines are logged at that level.
    env: { ...stack.env, LOG_LEVEL: 'debug' },
    readyLine: /worker polling/,
    readyTimeoutMs: 240_000,
  });
  let partial = '';
  worker.child.stdout?.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString();
    const complete = text.split('\n');
    partial = complete.pop() ?? '';
    for (const line of complete.filter(Boolean)) {
      // Every stdout line is JSON: anything else fails here, naming the line.
      lines.push(JSON.parse(line) as LogLine);
    }
  });
});

afterAll(async () => {
  await worker?.stop();
  await stack?.stop();
});

describe('worker logs', () => {
  it("name the session, workflow, run and activity of every line about a session's work", async () => {
    const response = await stack.api('/api/sessions', {
      method: 'POST',
      json: { title: 'logged', goal: 'log', repository: stack.sampleRepository, agent: 'echo' },
    });
    expect(response.status).toBe(201);
    const { id, runId } = (await response.json()) as { id: string; runId: string };
    const workflowId = `session-${id}`;
    await eventually(
      async () => {
        const detail = (await (await stack.api(`/api/sessions/${id}`)).json()) as {
          status: string;
        };
        return detail.status === 'completed' ? true : undefined;
      },
      60_000,
      'the session to complete',
    );
    // The workflow's last lines come after the status the API saw.
    const about = await eventually(
      async () => {
        const mine = lines.filter((line) => line.workflowId === workflowId);
        return mine.some((line) => line.msg === 'Workflow completed') ? mine : undefined;
      },
      15_000,
      `the worker to log the end of ${workflowId}`,
    );

    const activityLines = about.filter((line) => line.activityType !== undefined);
    const activities = new Set(activityLines.map((line) => line.activityType));
    expect([...activities]).toEqual(expect.arrayContaining(['prepareWorkspace', 'runAgentStep']));
    for (const line of activityLines) {
      expect(line, JSON.stringify(line)).toMatchObject({
        sessionId: id,
        workflowId,
        runId,
        activityId: expect.any(String),
        attempt: 1,
      });
      expect(line).not.toHaveProperty('taskToken');
    }
    const step = activityLines.find(
      (line) => line.activityType === 'runAgentStep' && line.msg === 'Activity completed',
    );
    expect(step).toMatchObject({ taskQueue: 'agent-echo', durationMs: expect.any(Number) });

    const workflowLines = about.filter((line) => line.activityType === undefined);
    expect(workflowLines.map((line) => line.msg)).toEqual(
      expect.arrayContaining(['Workflow started', 'Workflow completed']),
    );
    for (const line of workflowLines) {
      expect(line, JSON.stringify(line)).toMatchObject({
        sessionId: id,
        workflowId,
        runId,
        workflowType: 'session',
      });
    }

    // Tracing off: nothing was handed to the agent, and no line names a trace.
    const logs = (await (await stack.api(`/api/sessions/${id}/logs`)).json()) as {
      items: Array<{ line: string }>;
    };
    expect(logs.items.map((item) => item.line)).toContain('traceparent=none');
    expect(lines.filter((line) => 'trace_id' in line)).toEqual([]);
  });
});
