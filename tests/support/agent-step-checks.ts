/**
 * What the agent CLI tests check about a step run through the step harness: the typed failure
 * it ended with, the log lines it wrote (in order), and the model requests of its conversation.
 */
import type { ChatCompletionRequest } from '@copilotkit/aimock';
import { ApplicationFailure } from '@temporalio/common';
import { expect } from 'vitest';
import type { AgentStepInput } from '@orchestrator/activities/contracts';
import type { BusEntry } from '@orchestrator/activities/logs/types';
import type { StepHarness } from '@orchestrator/activities/testing/step-harness';
import type { ScriptedModel } from './agents-model-server.js';

export async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

/** The session's log as `<stream>: <line>`. */
export async function stepLogLines(harness: StepHarness, sessionId: string): Promise<string[]> {
  const entries: BusEntry[] = await harness.bus.read(sessionId);
  return entries.flatMap((e) => (e.kind === 'log' ? [`${e.stream}: ${e.line}`] : []));
}

/** `expected` appear in `lines` in this order (other lines may come between). */
export function expectInOrder(lines: string[], expected: Array<string | RegExp>): void {
  let from = 0;
  for (const want of expected) {
    const index = lines.findIndex(
      (line, i) => i >= from && (typeof want === 'string' ? line === want : want.test(line)),
    );
    expect(index, `${String(want)} after line ${from} in:\n${lines.join('\n')}`).toBeGreaterThan(
      -1,
    );
    from = index + 1;
  }
}

/** The model requests of one step's conversation (its goal is in a user message). */
export function requestsOf(model: ScriptedModel, input: AgentStepInput): ChatCompletionRequest[] {
  const marker = input.goal.slice(0, 40);
  return model.requests.filter((request) =>
    request.messages.some((m) => m.role === 'user' && JSON.stringify(m.content).includes(marker)),
  );
}
