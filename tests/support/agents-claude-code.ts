/**
 * The real Claude Code CLI for the agent tests, installed once per machine by the shared test
 * installer (agent-cli-install.ts), and claude-code agents configured against the scripted
 * model server.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { agentStateDir } from '@orchestrator/activities/agents/agent-state-dir';
import type { ClaudeCodeAgentConfig } from '@orchestrator/activities/agents/types';
import { ensureAgentCli, type InstalledAgentCli } from './agent-cli-install.js';

/** `npm view @anthropic-ai/claude-code version` when this was written. */
export const CLAUDE_CODE_VERSION = '2.1.332';

export type ClaudeCodeCli = InstalledAgentCli;

export function ensureClaudeCodeCli(
  log: (line: string) => void = (line) => console.log(line),
): Promise<ClaudeCodeCli> {
  return ensureAgentCli(
    {
      name: 'claude-code',
      package: '@anthropic-ai/claude-code',
      version: CLAUDE_CODE_VERSION,
      bin: 'claude',
      // npm may have skipped the postinstall that puts the native binary in place.
      repair: async (packageDir) => {
        await execa(process.execPath, ['install.cjs'], { cwd: packageDir, reject: false });
      },
    },
    log,
  );
}

/** The environment variable the test agents name in apiKeyEnv (the key is made up per run). */
export const TEST_KEY_ENV = 'IO_TEST_ANTHROPIC_KEY';

/** A claude-code agent on the installed CLI and the scripted model server. */
export function claudeAgent(
  name: string,
  cli: ClaudeCodeCli,
  modelUrl: string,
  extra: Partial<ClaudeCodeAgentConfig> = {},
): ClaudeCodeAgentConfig {
  return {
    name,
    kind: 'claude-code',
    description: 'Claude Code against the scripted model server',
    model: 'claude-sonnet-4-5',
    binary: cli.binary,
    baseUrl: modelUrl,
    apiKeyEnv: TEST_KEY_ENV,
    ...extra,
  };
}

/**
 * The transcript Claude Code keeps of a session in the agent's state dir (what `--resume`
 * reads), or '' while there is none. The CLI writes it asynchronously: a test that kills the
 * agent to check resumption waits until the turn it expects to survive is in it.
 */
export function claudeTranscript(workspace: string, agent: string, agentSessionId: string): string {
  const projects = join(agentStateDir(workspace, agent).home, '.claude', 'projects');
  const dirs = existsSync(projects) ? readdirSync(projects) : [];
  for (const dir of dirs) {
    const file = join(projects, dir, `${agentSessionId}.jsonl`);
    if (existsSync(file)) return readFileSync(file, 'utf8');
  }
  return '';
}
