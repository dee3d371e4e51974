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
export interface AgentStepContext<Cli, C extends AgentConfig = AgentConfig> {
  cli: Cli;
  model: ScriptedModel;
  harness: StepHarness;
  /** The worker's environment: the key in `keyEnv`, a wrong one in `wrongKeyEnv`. */
  workerEnv: NodeJS.ProcessEnv;
  options: AgentStepContextOptions<Cli, C>;
  /** An agent of this kind on the installed CLI and the scripted model. */
  agent(name: string, extra?: Partial<C>): C;
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

export interface AgentStepContextOptions<Cli, C extends AgentConfig> {
  /** The kind's main agent; `<name>-missing` and `<name>-wrong-key` are registered too. */
  name: string;
  ensureCli(): Promise<Cli>;
  key: string;
  keyEnv: string;
  wrongKey: string;
  wrongKeyEnv: string;
  /** The kind's agent factory (claudeAgent, codexAgent, opencodeAgent). */
  agentOf(name: string, cli: Cli, modelUrl: string, extra?: Partial<C>): C;
  /** The binary `<name>-missing` is configured with (it does not exist). */
  missingBinary: string;
  /** The agents the file's own tests use. */
  agents(agent: (name: string, extra?: Partial<C>) => C): C[];
  killGraceMs: number;
}

/**
 * Installs the CLI and starts the scripted model and the step harness in beforeAll (stopped in
 * afterAll); the object is filled in when beforeAll has run.
 */
export function useAgentStepHarness<Cli, C extends AgentConfig>(
  options: AgentStepContextOptions<Cli, C>,
): AgentStepContext<Cli, C> {
  const workerEnv = {
    ...process.env,
    [options.keyEnv]: options.key,
    [options.wrongKeyEnv]: options.wrongKey,
  };
  const context: AgentStepContext<Cli, C> = {
    workerEnv,
    options,
    agent: (name, extra) => options.agentOf(name, context.cli, context.model.url, extra),
    stepInput: (agent, goal) => context.harness.stepInput(agent, goal),
    environment: (...args) => context.harness.environment(...args),
    step: (...args) => context.harness.step(...args),
    logLines: (sessionId) => stepLogLines(context.harness, sessionId),
    requestsFor: (input) => requestsOf(context.model, input),
    stateDirOf: (input) => join(context.harness.workspacesDir, AGENT_STATE_DIR, input.sessionId),
  } as AgentStepContext<Cli, C>;
  beforeAll(async () => {
    context.cli = await options.ensureCli();
    context.model = await startScriptedModel({ apiKey: options.key });
    context.harness = await createStepHarness({
      name: options.name,
      agents: createAgentRegistry([
        ...options.agents(context.agent),
        context.agent(`${options.name}-missing`, {
          binary: options.missingBinary,
        } as unknown as Partial<C>),
        context.agent(`${options.name}-wrong-key`, {
          apiKeyEnv: options.wrongKeyEnv,
        } as unknown as Partial<C>),
      ]),
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
 * An API key the model rejects (401, agent `<name>-wrong-key`) fails the step for good, naming
 * the apiKeyEnv variable to check, and the agent's state is removed. `stopsAtFirstRejection`:
 * the adapter stopped the CLI at the first rejection instead of sitting through its retries.
 */
export async function expectRejectedKey(
  context: AgentStepContext<unknown>,
  options: { messages: string[]; stopsAtFirstRejection: boolean },
): Promise<void> {
  const { name, wrongKeyEnv } = context.options;
  const input = await context.stepInput(`${name}-wrong-key`, scriptGoal('write-file'));
  const failure = await failureOf(context.step(context.environment().env, input));
  expect(failure.type).toBe('AgentExitError');
  expect(failure.nonRetryable).toBe(true);
  for (const part of options.messages) expect(failure.message).toContain(part);
  expect(failure.message).toContain(`check the API key in ${wrongKeyEnv} on the worker`);
  if (options.stopsAtFirstRejection) {
    const lines = await context.logLines(input.sessionId);
    expect(lines).toContain('system: ■ stopped: the model API rejected the credentials (HTTP 401)');
    expect(lines.filter((l) => l.startsWith('stderr: [retry]'))).toHaveLength(1);
  }
  expect(existsSync(context.stateDirOf(input))).toBe(false);
}

/**
 * A worker without the CLI (`<name>-missing`, whose binary is not there) fails the step with an
 * AgentConfigError saying what to install; availability finds the installed CLI and its
 * version, names the key variable when it is unset and, with `commandName`, the command
 * missing from the PATH when no binary is configured.
 */
export async function expectUnavailableExplained(
  context: AgentStepContext<{ binary: string }>,
  options: { installHint: string; version: string; commandName?: string },
): Promise<void> {
  const { name, missingBinary, keyEnv, key } = context.options;
  const input = await context.stepInput(`${name}-missing`, scriptGoal('write-file'));
  const failure = await failureOf(context.step(context.environment().env, input));
  expect(failure.type).toBe('AgentConfigError');
  expect(failure.nonRetryable).toBe(true);
  expect(failure.message).toContain(`${missingBinary} was not found`);
  expect(failure.message).toContain(options.installHint);

  const agent = context.agent(name) as AgentConfig & { binary?: string };
  expect(await checkAvailability(agent, context.workerEnv)).toEqual({
    available: true,
    binary: context.cli.binary,
    version: options.version,
  });
  const withoutKey = await checkAvailability(agent, { PATH: process.env.PATH });
  expect(withoutKey.available).toBe(false);
  expect(!withoutKey.available && withoutKey.reason).toContain(
    `the environment variable ${keyEnv} (its apiKeyEnv) is not set on this worker`,
  );
  if (options.commandName) {
    const { binary: _installed, ...onDefaultPath } = agent;
    const onPath = await checkAvailability(onDefaultPath as AgentConfig, {
      PATH: '/nonexistent-bin',
      [keyEnv]: key,
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
