/**
 * What the full-stack agent session tests share: the stack they run on (scripted model, gateway,
 * Temporal, Postgres, Redis, a worker process), starting a session on one agent over the
 * gateway, waiting for it to end, reading its log and checkpoints, the agent step's result as
 * Temporal recorded it, the heartbeat of a running step, the processes started for a session
 * (orphans after a worker was killed), and the two stories every agent tells: a session that
 * writes a file, and one resumed after kill -9 of its worker.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, expect } from 'vitest';
import type { StepHeartbeat } from '@orchestrator/activities/agents/orphans';
import type { AgentConfig } from '@orchestrator/activities/agents/types';
import type { AgentStepResult } from '@orchestrator/activities/contracts';
import { git } from '@orchestrator/activities/workspace/git';
import { isAlive } from './agents.js';
import {
  FINAL_TEXT,
  HELLO_CONTENT,
  HELLO_FILE,
  scriptGoal,
  startScriptedModel,
  toolCallIds,
  type ScriptedModel,
} from './agents-model-server.js';
import { eventually, startStack, type Stack, type WorkerProcess } from './stack.js';

export interface SessionDetail {
  status: string;
  error: string | null;
  tokensUsed: number;
  checkpoints: Array<{
    commitSha: string;
    changed: boolean;
    summary: string;
    usage: { inputTokens: number; outputTokens: number; costUsd: number | null } | null;
  }>;
}

export async function startAgentSession(stack: Stack, agent: string, goal: string) {
  const response = await stack.api('/api/sessions', {
    method: 'POST',
    json: { title: agent, goal, repository: stack.sampleRepository, agent },
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

export function finishedSession(stack: Stack, id: string, timeoutMs: number) {
  return eventually(
    async () => {
      const detail = (await (await stack.api(`/api/sessions/${id}`)).json()) as SessionDetail;
      return ['completed', 'failed', 'cancelled'].includes(detail.status) ? detail : undefined;
    },
    timeoutMs,
    `session ${id} to finish`,
  );
}

export async function sessionLogLines(stack: Stack, id: string): Promise<string[]> {
  const page = (await (await stack.api(`/api/sessions/${id}/logs?limit=1000`)).json()) as {
    items: Array<{ line: string }>;
  };
  return page.items.map((item) => item.line);
}

/** The session's one agent step result, as Temporal recorded it (ActivityTaskCompleted). */
export async function agentStepResult(client: Client, id: string): Promise<AgentStepResult> {
  const history = await client.workflow.getHandle(`session-${id}`).fetchHistory();
  const results = (history.events ?? []).flatMap((event) => {
    const payload = event.activityTaskCompletedEventAttributes?.result?.payloads?.[0];
    if (!payload) return [];
    const value = defaultPayloadConverter.fromPayload<AgentStepResult | null>(payload);
    return value && typeof value === 'object' && 'commitSha' in value ? [value] : [];
  });
  expect(results).toHaveLength(1);
  return results[0]!;
}

/** The session's running agent step's last heartbeat, once it satisfies `check`. */
export function stepHeartbeatWhere(
  client: Client,
  id: string,
  check: (heartbeat: StepHeartbeat) => boolean,
  what: string,
  timeoutMs: number,
) {
  const handle = client.workflow.getHandle(`session-${id}`);
  return eventually(
    async () => {
      const description = await handle.describe();
      const payload = description.raw.pendingActivities?.[0]?.heartbeatDetails?.payloads?.[0];
      const details = payload
        ? defaultPayloadConverter.fromPayload<StepHeartbeat>(payload)
        : undefined;
      return details && check(details) ? details : undefined;
    },
    timeoutMs,
    what,
  );
}

/** The running agent step's last heartbeat once it names the agent's own session. */
export function heartbeatWithAgentSession(client: Client, id: string, timeoutMs: number) {
  return stepHeartbeatWhere(
    client,
    id,
    (heartbeat) => Boolean(heartbeat.agentSessionId),
    "a heartbeat with the agent's session id",
    timeoutMs,
  );
}

/** Pids of processes started for a session (they carry its ORCHESTRATOR_SESSION_ID). */
export function sessionProcesses(id: string): number[] {
  const marker = `ORCHESTRATOR_SESSION_ID=${id}`;
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(marker);
      } catch {
        return false;
      }
    })
    .filter(isAlive);
}

/** What an agent's full-stack session tests share: the scripted model, the stack, a worker. */
export interface AgentSessionStack {
  model: ScriptedModel;
  stack: Stack;
  /** The worker process running the agent (replaced by `restartWorker`). */
  worker: WorkerProcess;
  client: Client;
}

export interface AgentSessionStackOptions<Cli> {
  ensureCli(): Promise<Cli>;
  /** The API key the scripted model expects, and the variable the workers read it from. */
  key: string;
  keyEnv: string;
  agents(cli: Cli, modelUrl: string): AgentConfig[];
  heartbeatTimeoutMs: number;
}

/**
 * Starts (in beforeAll) the scripted model, a stack without an in-process worker and one worker
 * process with the key in its environment, and stops them all (in afterAll). The object is
 * filled in when beforeAll has run.
 */
export function useAgentSessionStack<Cli>(
  options: AgentSessionStackOptions<Cli>,
): AgentSessionStack {
  const context = {} as AgentSessionStack;
  let connection: Connection | undefined;
  beforeAll(async () => {
    const cli = await options.ensureCli();
    context.model = await startScriptedModel({ apiKey: options.key });
    // The workers read the key from their environment (the stack passes process.env on).
    process.env[options.keyEnv] = options.key;
    context.stack = await startStack({
      agents: options.agents(cli, context.model.url),
      worker: 'none',
      heartbeatTimeoutMs: options.heartbeatTimeoutMs,
    });
    context.worker = await context.stack.startWorkerProcess();
    connection = await Connection.connect({ address: context.stack.temporal.address });
    context.client = new Client({ connection });
  });
  afterAll(async () => {
    await connection?.close();
    await context.stack?.stop();
    await context.model?.stop();
    delete process.env[options.keyEnv];
  });
  return context;
}

export const workspaceOf = (context: AgentSessionStack, id: string) =>
  `${context.stack.settings.workspacesDir}/${id}`;

/** The hello file as the commit has it. */
export async function committedHello(
  context: AgentSessionStack,
  id: string,
  commitSha: string,
): Promise<string> {
  const file = await git(['show', `${commitSha}:${HELLO_FILE}`], {
    cwd: workspaceOf(context, id),
  });
  return `${file.stdout}\n`;
}

/**
 * A session whose model has the agent write the hello file: completed with one checkpoint that
 * committed it, the scripted usage (220 in, 27 out) in the checkpoint, the step result and
 * TokensUsed, and the key nowhere in the result or the log. Returns what the agent's own test
 * checks further.
 */
export async function expectHelloSession(
  context: AgentSessionStack,
  agent: string,
  options: { key: string; timeoutMs: number; goal?: string },
) {
  const { stack, client } = context;
  const id = await startAgentSession(
    stack,
    agent,
    scriptGoal('write-file', options.goal ?? 'add a greeting'),
  );
  const detail = await finishedSession(stack, id, options.timeoutMs);
  expect(detail.error).toBeNull();
  expect(detail.status).toBe('completed');
  expect(detail.checkpoints).toHaveLength(1);
  const checkpoint = detail.checkpoints[0]!;
  expect(checkpoint).toMatchObject({ changed: true, summary: FINAL_TEXT });
  expect(await committedHello(context, id, checkpoint.commitSha)).toBe(HELLO_CONTENT);

  // The usage is the checkpoint's, and the session's TokensUsed search attribute.
  expect(checkpoint.usage).toMatchObject({ inputTokens: 220, outputTokens: 27 });
  expect(detail.tokensUsed).toBe(247);
  const result = await agentStepResult(client, id);
  expect(result.usage).toMatchObject({ inputTokens: 220, outputTokens: 27 });
  expect(JSON.stringify(result)).not.toContain(options.key);

  const lines = await sessionLogLines(stack, id);
  expect(lines.join('\n')).not.toContain(options.key);
  return { id, detail, checkpoint, result, lines };
}

/**
 * Kill -9 of the worker mid-step: the session's model has the agent write the file (turn 1),
 * then hangs (turn 2); once a heartbeat names the agent's own session the worker is killed and
 * a new one started. The new worker kills the orphaned agent first, then resumes that same
 * session, whose last request carries turn 1's tool call; the file is committed. `midStep`
 * waits for what the agent must have saved before the kill (its transcript, say).
 */
export async function expectResumeAfterWorkerKill(
  context: AgentSessionStack,
  agent: string,
  options: {
    model: string;
    turnTimeoutMs: number;
    heartbeatTimeoutMs: number;
    sessionTimeoutMs: number;
    midStep?: (id: string, beat: StepHeartbeat) => Promise<unknown>;
  },
) {
  const { stack, client, model } = context;
  const before = model.requests.length;
  const id = await startAgentSession(
    stack,
    agent,
    scriptGoal('write-then-stall', 'greet, then think for a long time'),
  );
  const ours = () => model.requests.slice(before);
  // Turn 1 wrote the file; turn 2 hangs at the model: the agent is mid-step.
  await eventually(
    async () => (ours().length >= 2 ? true : undefined),
    options.turnTimeoutMs,
    'turn 2',
  );
  const beat = await heartbeatWithAgentSession(client, id, options.heartbeatTimeoutMs);
  await options.midStep?.(id, beat);
  const orphans = sessionProcesses(id);
  expect(orphans).toContain(beat.pgid);

  context.worker.child.kill('SIGKILL');
  await context.worker.child.catch(() => undefined);
  context.worker = await stack.startWorkerProcess();

  const detail = await finishedSession(stack, id, options.sessionTimeoutMs);
  expect(detail.error).toBeNull();
  expect(detail.status).toBe('completed');
  // The new worker killed the orphaned agent first, then resumed its session.
  for (const pid of orphans) expect(isAlive(pid), `orphan ${pid} still runs`).toBe(false);
  const result = await agentStepResult(client, id);
  expect(result.agentSessionId).toBe(beat.agentSessionId);
  expect(result.summary).toBe(FINAL_TEXT);
  const requests = ours();
  expect(requests).toHaveLength(3);
  expect(toolCallIds(requests[2]!)).toEqual(toolCallIds(requests[1]!));
  expect(toolCallIds(requests[2]!)).toHaveLength(1);
  const lines = await sessionLogLines(stack, id);
  expect(lines).toContain(`[session] started ${beat.agentSessionId} (model ${options.model})`);
  expect(lines).toContain(`[session] resumed ${beat.agentSessionId} (model ${options.model})`);
  expect(await committedHello(context, id, detail.checkpoints[0]!.commitSha)).toBe(HELLO_CONTENT);
  return { id, beat, detail, result };
}
