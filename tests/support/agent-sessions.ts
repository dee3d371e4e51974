/**
 * What the full-stack agent session tests share: start a session on one agent over the
 * gateway, wait for it to end, read its log and checkpoints, read the agent step's result as
 * Temporal recorded it, find the heartbeat of a running step, and find the processes started
 * for a session (orphans after a worker was killed).
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { expect } from 'vitest';
import type { StepHeartbeat } from '@orchestrator/activities/agents/orphans';
import type { AgentStepResult } from '@orchestrator/activities/contracts';
import { isAlive } from './agents.js';
import { eventually, type Stack } from './stack.js';

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

/** The running agent step's last heartbeat once it names the agent's own session. */
export function heartbeatWithAgentSession(client: Client, id: string, timeoutMs: number) {
  const handle = client.workflow.getHandle(`session-${id}`);
  return eventually(
    async () => {
      const description = await handle.describe();
      const payload = description.raw.pendingActivities?.[0]?.heartbeatDetails?.payloads?.[0];
      const details = payload
        ? defaultPayloadConverter.fromPayload<StepHeartbeat>(payload)
        : undefined;
      return details?.agentSessionId ? details : undefined;
    },
    timeoutMs,
    "a heartbeat with the agent's session id",
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
