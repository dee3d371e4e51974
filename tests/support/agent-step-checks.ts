/**
 * What the agent CLI tests check about a step run through the step harness: the harness itself
 * (CLI, scripted model, worker environment), the typed failure a step ended with, the log lines
 * it wrote (in order), the model requests of its conversation, and the two checks every CLI
 * agent shares: a rejected API key, and a worker without the CLI or the key.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatCompletionRequest } from '@copilotkit/aimock';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, expect } from 'vitest';
import { checkAvailability } from '@orchestrator/activities/agents/adapters';
import { AGENT_STATE_DIR } from '@orchestrator/activities/agents/agent-state-dir';
import { createAgentRegistry } from '@orchestrator/activities/agents/registry';
import type { AgentConfig } from '@orchestrator/activities/agents/types';
import type { AgentStepInput } from '@orchestrator/activities/contracts';
import type { BusEntry } from '@orchestrator/activities/logs/types';
import { createStepHarness, type StepHarness } from '@orchestrator/activities/testing/step-harness';
import { scriptGoal, startScriptedModel, type ScriptedModel } from './agents-model-server.js';

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

/** What an agent CLI's step tests share: the CLI, the scripted model, the step harness. */
export interface AgentStepContext<Cli> {
  cli: Cli;
  model: ScriptedModel;
  harness: StepHarness;
  /** The worker's environment: the key in `keyEnv`, a wrong one in `wrongKeyEnv`. */
  workerEnv: NodeJS.ProcessEnv;
  stepInput(agent: string, goal: string): Promise<AgentStepInput>;
  environment(
    ...args: Parameters<StepHarness['environment']>
  ): ReturnType<StepHarness['environment']>;
  step(...args: Parameters<StepHarness['step']>): ReturnType<StepHarness['step']>;
  logLines(sessionId: string): Promise<string[]>;
  requestsFor(input: AgentStepInput): ChatCompletionRequest[];
  /** The session's agent state directory (`<workspaces>/.agent-state/<session>`). */
  stateDirOf(input: AgentStepInput): string;
}

export interface AgentStepContextOptions<Cli> {
  name: string;
  ensureCli(): Promise<Cli>;
  key: string;
  keyEnv: string;
  wrongKey: string;
  wrongKeyEnv: string;
  agents(cli: Cli, modelUrl: string): AgentConfig[];
  killGraceMs: number;
}

/**
 * Installs the CLI and starts the scripted model and the step harness in beforeAll (stopped in
 * afterAll); the object is filled in when beforeAll has run.
 */
export function useAgentStepHarness<Cli>(
  options: AgentStepContextOptions<Cli>,
): AgentStepContext<Cli> {
  const workerEnv = {
    ...process.env,
    [options.keyEnv]: options.key,
    [options.wrongKeyEnv]: options.wrongKey,
  };
  const context: AgentStepContext<Cli> = {
    workerEnv,
    stepInput: (agent, goal) => context.harness.stepInput(agent, goal),
    environment: (...args) => context.harness.environment(...args),
    step: (...args) => context.harness.step(...args),
    logLines: (sessionId) => stepLogLines(context.harness, sessionId),
    requestsFor: (input) => requestsOf(context.model, input),
    stateDirOf: (input) => join(context.harness.workspacesDir, AGENT_STATE_DIR, input.sessionId),
  } as AgentStepContext<Cli>;
  beforeAll(async () => {
    context.cli = await options.ensureCli();
    context.model = await startScriptedModel({ apiKey: options.key });
    context.harness = await createStepHarness({
      name: options.name,
      agents: createAgentRegistry(options.agents(context.cli, context.model.url)),
      env: workerEnv,
      killGraceMs: options.killGraceMs,
    });
  });
  afterAll(async () => {
    await context.model?.stop();
    await context.harness?.close();
  });
  return context;
}

/**
 * An API key the model rejects (401) fails the step for good, naming the apiKeyEnv variable to
 * check, and the agent's state is removed. `stopsAtFirstRejection`: the adapter stopped the CLI
 * at the first rejection instead of sitting through its own retries.
 */
export async function expectRejectedKey(
  context: AgentStepContext<unknown>,
  agent: string,
  options: { wrongKeyEnv: string; messages: string[]; stopsAtFirstRejection: boolean },
): Promise<void> {
  const input = await context.stepInput(agent, scriptGoal('write-file'));
  const failure = await failureOf(context.step(context.environment().env, input));
  expect(failure.type).toBe('AgentExitError');
  expect(failure.nonRetryable).toBe(true);
  for (const part of options.messages) expect(failure.message).toContain(part);
  expect(failure.message).toContain(`check the API key in ${options.wrongKeyEnv} on the worker`);
  if (options.stopsAtFirstRejection) {
    const lines = await context.logLines(input.sessionId);
    expect(lines).toContain('system: ■ stopped: the model API rejected the credentials (HTTP 401)');
    expect(lines.filter((l) => l.startsWith('stderr: [retry]'))).toHaveLength(1);
  }
  expect(existsSync(context.stateDirOf(input))).toBe(false);
}

/**
 * A worker without the CLI (a configured binary that is not there) fails the step with an
 * AgentConfigError saying what to install; availability finds the installed CLI and its
 * version, names the key variable when it is unset and, with `commandName`, the command
 * missing from the PATH when no binary is configured.
 */
export async function expectUnavailableExplained(
  context: AgentStepContext<{ binary: string }>,
  options: {
    missingAgent: string;
    missingBinary: string;
    installHint: string;
    agent: AgentConfig & { binary?: string };
    version: string;
    keyEnv: string;
    key: string;
    commandName?: string;
  },
): Promise<void> {
  const input = await context.stepInput(options.missingAgent, scriptGoal('write-file'));
  const failure = await failureOf(context.step(context.environment().env, input));
  expect(failure.type).toBe('AgentConfigError');
  expect(failure.nonRetryable).toBe(true);
  expect(failure.message).toContain(`${options.missingBinary} was not found`);
  expect(failure.message).toContain(options.installHint);

  expect(await checkAvailability(options.agent, context.workerEnv)).toEqual({
    available: true,
    binary: context.cli.binary,
    version: options.version,
  });
  const withoutKey = await checkAvailability(options.agent, { PATH: process.env.PATH });
  expect(withoutKey.available).toBe(false);
  expect(!withoutKey.available && withoutKey.reason).toContain(
    `the environment variable ${options.keyEnv} (its apiKeyEnv) is not set on this worker`,
  );
  if (options.commandName) {
    const { binary: _installed, ...onDefaultPath } = options.agent;
    const onPath = await checkAvailability(onDefaultPath as AgentConfig, {
      PATH: '/nonexistent-bin',
      [options.keyEnv]: options.key,
    });
    expect(!onPath.available && onPath.reason).toMatch(
      new RegExp(`"${options.commandName}" on the PATH .* was not found`),
    );
  }
}

/**
 * The scripted model says the API key back: it reached the model API (the server answers 401
 * to any other key), but the step's result, its log and the archive hold `[redacted]` instead.
 */
export async function expectKeyKeptOut(
  context: AgentStepContext<unknown>,
  agent: string,
  key: string,
): Promise<void> {
  context.model.secretToSay = key;
  const input = await context.stepInput(agent, scriptGoal('say-secret', 'tell me the secret'));
  const result = await context.step(context.environment().env, input);
  // The key did reach the model API (the server answers 401 to any other key) …
  expect(context.requestsFor(input)).toHaveLength(1);
  // … but neither the step's result nor its log nor the archive holds it.
  expect(JSON.stringify(result)).not.toContain(key);
  expect(result.summary).toBe('Here is what I found: [redacted]');
  const lines = await context.logLines(input.sessionId);
  expect(lines).toContain('stdout: [text] Here is what I found: [redacted]');
  expect(lines.join('\n')).not.toContain(key);
  const archived = await context.harness.archive.list(input.sessionId, { limit: 100 });
  expect(JSON.stringify(archived)).not.toContain(key);
}
