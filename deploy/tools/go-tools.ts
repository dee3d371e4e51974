/**
 * Builds the pinned Go tools (helm, actionlint) once per machine and reuses them: each lives in
 * `$XDG_CACHE_HOME` (or `~/.cache`) `/industrial-orchestrator/tools/<name>-<version>/`, the same
 * cache root as the Temporal CLI. A build goes into a scratch folder that is renamed into place
 * only when `go install` succeeded, so an interrupted or concurrent build never leaves a broken
 * binary behind.
 */
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { execa } from 'execa';
import { isExecutable, projectCacheDir } from '@orchestrator/temporal-config';
import type { GoTool } from './versions.js';

export interface ProvisionGoToolOptions {
  env?: NodeJS.ProcessEnv;
  /** Progress lines (the first helm build takes about 80 s on 2 cores). */
  log?: (line: string) => void;
}

export class GoToolBuildError extends Error {
  override name = 'GoToolBuildError';
}

/** Root of the tool cache: `<user cache>/industrial-orchestrator/tools`. */
export function goToolsCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(projectCacheDir(env), 'tools');
}

/** Where one version of one tool lives; the binary is `<dir>/<name>`. */
export function goToolPath(tool: GoTool, env: NodeJS.ProcessEnv = process.env): string {
  return join(goToolsCacheDir(env), `${tool.name}-${tool.version}`, tool.name);
}

/** `go` on PATH, else the standard /usr/local/go install, else null. */
export async function findGo(env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  const candidates = (env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, 'go'));
  candidates.push('/usr/local/go/bin/go');
  for (const candidate of candidates) {
    if (await isExecutable(candidate)) return candidate;
  }
  return null;
}

/** Returns the path of the tool's binary, building it with `go install` on first use. */
export async function provisionGoTool(
  tool: GoTool,
  options: ProvisionGoToolOptions = {},
): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.error(line));
  const binary = goToolPath(tool, env);
  if (await isExecutable(binary)) return binary;

  const go = await findGo(env);
  if (!go) {
    throw new GoToolBuildError(
      `${tool.name} ${tool.version} is not in ${dirname(binary)} and no Go toolchain was found ` +
        `to build it. Install Go 1.25+ (https://go.dev/dl) so the project can build it once, or ` +
        `put a ${tool.name} ${tool.version} binary at ${binary}.`,
    );
  }
  const target = `${tool.module}@${tool.version}`;
  await mkdir(goToolsCacheDir(env), { recursive: true });
  const scratch = await mkdtemp(join(goToolsCacheDir(env), `.${tool.name}-build-`));
  log(`${tool.name}: building ${target} with go install (${tool.purpose}); once per machine`);
  const started = Date.now();
  const ticker = setInterval(() => {
    log(`${tool.name}: still building… ${Math.round((Date.now() - started) / 1000)}s`);
  }, 15_000);
  try {
    const result = await run(go, ['install', target], { ...env, GOBIN: scratch });
    if (result.code !== 0) {
      throw new GoToolBuildError(
        `go install ${target} failed (exit ${result.code}):\n${result.output.slice(-2000)}\n` +
          'Check that the Go module proxy is reachable (GOPROXY), then run the tests again.',
      );
    }
    await mkdir(dirname(binary), { recursive: true });
    // Another process may have finished the same build meanwhile: keep the first one.
    if (!(await isExecutable(binary))) await rename(join(scratch, tool.name), binary);
  } finally {
    clearInterval(ticker);
    await rm(scratch, { recursive: true, force: true });
  }
  log(`${tool.name}: built in ${Math.round((Date.now() - started) / 1000)}s → ${binary}`);
  return binary;
}

interface RunResult {
  code: number;
  output: string;
}

async function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  const result = await execa(command, args, { env, stdin: 'ignore', all: true, reject: false });
  if (result.failed && result.exitCode === undefined) throw result;
  return { code: result.exitCode ?? 1, output: result.all ?? '' };
}
