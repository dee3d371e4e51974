/**
 * The real Codex CLI for the agent tests, installed once per machine by the shared test
 * installer (agent-cli-install.ts; the native binary comes with an optional dependency of the
 * npm package), and codex agents configured against the scripted model server.
 */
import { readFile } from 'node:fs/promises';
import { agentStateDir } from '@orchestrator/activities/agents/agent-state-dir';
import { codexHome } from '@orchestrator/activities/agents/codex';
import { findRollout } from '@orchestrator/activities/agents/codex-thread';
import type { CodexAgentConfig } from '@orchestrator/activities/agents/types';
import { ensureAgentCli, type InstalledAgentCli } from './agent-cli-install.js';

/** `npm view @openai/codex version` when this was written. */
export const CODEX_VERSION = '0.169.0';
/** A model Codex knows (its tools and prompts depend on the model's metadata). */
export const CODEX_TEST_MODEL = 'gpt-5.5';
/** The environment variable the test agents name in apiKeyEnv (the key is made up per run). */
export const CODEX_TEST_KEY_ENV = 'IO_TEST_OPENAI_KEY';

export type CodexCli = InstalledAgentCli;

export function ensureCodexCli(
  log: (line: string) => void = (line) => console.log(line),
): Promise<CodexCli> {
  return ensureAgentCli(
    { name: 'codex', package: '@openai/codex', version: CODEX_VERSION, bin: 'codex' },
    log,
  );
}

/** A codex agent on the installed CLI and the scripted model server (`modelUrl`, no /v1). */
export function codexAgent(
  name: string,
  cli: CodexCli,
  modelUrl: string,
  extra: Partial<CodexAgentConfig> = {},
): CodexAgentConfig {
  return {
    name,
    kind: 'codex',
    description: 'Codex against the scripted model server',
    model: CODEX_TEST_MODEL,
    binary: cli.binary,
    baseUrl: `${modelUrl}/v1`,
    apiKeyEnv: CODEX_TEST_KEY_ENV,
    ...extra,
  };
}

/**
 * The rollout Codex keeps of a thread in the agent's state dir (what `codex exec resume`
 * reads), or '' while there is none. Codex appends to it as the turn goes: a test that kills
 * the agent to check resumption waits until the part it expects to survive is in it.
 */
export async function codexRollout(
  workspace: string,
  agent: string,
  threadId: string,
): Promise<string> {
  const rollout = await findRollout(codexHome(agentStateDir(workspace, agent)), threadId);
  return rollout ? readFile(rollout, 'utf8').catch(() => '') : '';
}
