/**
 * The real Claude Code CLI for the agent tests. It is not a dependency of the orchestrator:
 * the tests install a pinned version once per machine into
 * `${XDG_CACHE_HOME:-~/.cache}/industrial-orchestrator/agent-clis/claude-code-<version>/`
 * (npm install --prefix), print what they do, and reuse it on later runs.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { agentStateDir } from '@orchestrator/activities/agents/agent-state-dir';
import type { ClaudeCodeAgentConfig } from '@orchestrator/activities/agents/types';

/** `npm view @anthropic-ai/claude-code version` when this was written. */
export const CLAUDE_CODE_VERSION = '2.1.332';
const PACKAGE = '@anthropic-ai/claude-code';

export interface ClaudeCodeCli {
  binary: string;
  version: string;
  dir: string;
}

export function agentClisDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'industrial-orchestrator', 'agent-clis');
}

export async function ensureClaudeCodeCli(
  log: (line: string) => void = (line) => console.log(line),
): Promise<ClaudeCodeCli> {
  const dir = join(agentClisDir(), `claude-code-${CLAUDE_CODE_VERSION}`);
  const binary = join(dir, 'node_modules', '.bin', 'claude');
  if (existsSync(binary) && (await versionOf(binary)) === CLAUDE_CODE_VERSION) {
    return { binary, version: CLAUDE_CODE_VERSION, dir };
  }
  log(`Installing ${PACKAGE}@${CLAUDE_CODE_VERSION} (test setup, once per machine) into ${dir} …`);
  const started = Date.now();
  // Into a fresh directory first, then renamed: an interrupted install never looks complete.
  const staging = `${dir}.installing-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const install = await execa(
    'npm',
    [
      'install',
      '--prefix',
      staging,
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      `${PACKAGE}@${CLAUDE_CODE_VERSION}`,
    ],
    { cwd: staging, reject: false, stdin: 'ignore', all: true },
  );
  if (install.exitCode !== 0) {
    await rm(staging, { recursive: true, force: true });
    throw new Error(
      `npm install ${PACKAGE}@${CLAUDE_CODE_VERSION} failed (exit ${install.exitCode}). The ` +
        `agent tests need the npm registry once to install the CLI.\n${install.all ?? ''}`,
    );
  }
  const staged = join(staging, 'node_modules', '.bin', 'claude');
  if ((await versionOf(staged)) !== CLAUDE_CODE_VERSION) {
    // npm may have skipped the postinstall that puts the native binary in place.
    const packageDir = join(staging, 'node_modules', ...PACKAGE.split('/'));
    await execa(process.execPath, ['install.cjs'], { cwd: packageDir, reject: false });
  }
  const version = await versionOf(staged);
  if (version !== CLAUDE_CODE_VERSION) {
    await rm(staging, { recursive: true, force: true });
    throw new Error(
      `${staged} --version answered ${version ?? 'nothing'}, expected ${CLAUDE_CODE_VERSION}: ` +
        'the native binary of this platform did not install (optional dependencies disabled?).',
    );
  }
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
  log(`Installed Claude Code ${version} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { binary, version, dir };
}

async function versionOf(binary: string): Promise<string | null> {
  const result = await execa(binary, ['--version'], {
    reject: false,
    timeout: 30_000,
    stdin: 'ignore',
    extendEnv: false,
    env: { PATH: process.env.PATH ?? '' },
  });
  return result.exitCode === 0 ? (/\d+\.\d+\.\d+/.exec(result.stdout)?.[0] ?? null) : null;
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
