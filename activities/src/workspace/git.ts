/**
 * Runs git for the workspace code. The identity is passed per command (`-c user.name=…`) so
 * commits work on a fresh machine or container with no git config; prompts are disabled so a
 * repository that wants credentials fails instead of hanging the activity. Commands are spawned
 * by a helper process (git-spawner.ts), so forking git never blocks the worker's event loop.
 */
import { spawnViaHelper } from './git-spawner.js';

export const GIT_IDENTITY = { name: 'Industrial Orchestrator', email: 'orchestrator@localhost' };

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface GitOptions {
  cwd?: string;
  /** Exit codes that are answers rather than failures (e.g. 1 from `diff --quiet`). */
  allowExitCodes?: number[];
  /** Extra `-c key=value` settings. */
  config?: Record<string, string>;
}

export class GitCommandError extends Error {
  constructor(
    readonly args: string[],
    readonly exitCode: number | undefined,
    readonly stderr: string,
  ) {
    super(
      `git ${args.join(' ')} failed (exit ${exitCode ?? 'none'}): ${stderr.trim() || 'no output'}`,
    );
    this.name = 'GitCommandError';
  }
}

export async function git(args: string[], options: GitOptions = {}): Promise<GitResult> {
  const config = {
    'user.name': GIT_IDENTITY.name,
    'user.email': GIT_IDENTITY.email,
    'commit.gpgsign': 'false',
    ...options.config,
  };
  const configArgs = Object.entries(config).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
  const result = await spawnViaHelper({
    command: 'git',
    args: [...configArgs, ...args],
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
  });
  const exitCode = result.exitCode;
  if (exitCode === 0 || (exitCode !== undefined && options.allowExitCodes?.includes(exitCode))) {
    return { stdout: result.stdout, stderr: result.stderr, exitCode };
  }
  throw new GitCommandError(args, exitCode, result.stderr || (result.error ?? ''));
}

/** HEAD's sha, or null in a repository without commits. */
export async function headSha(cwd: string): Promise<string | null> {
  const result = await git(['rev-parse', '--verify', '--quiet', 'HEAD'], {
    cwd,
    allowExitCodes: [1],
  });
  return result.exitCode === 0 ? result.stdout.trim() : null;
}
