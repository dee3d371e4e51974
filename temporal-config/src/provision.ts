import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { temporalCliCacheDir } from './cache-dir.js';
import { findOnPath, isExecutable } from './executables.js';
import { TEMPORAL_CLI_MODULE, TEMPORAL_CLI_VERSION } from './version.js';

/** How the Temporal CLI was found; `sdk-download` means "let @temporalio/testing fetch it". */
export type TemporalCli =
  | { type: 'existing-path'; path: string; source: 'env' | 'path' | 'cache' | 'built' }
  | { type: 'sdk-download' };

export interface ProvisionOptions {
  env?: NodeJS.ProcessEnv;
  /** Progress output (building takes minutes). */
  log?: (line: string) => void;
  /** Permit the SDK's own download as the last resort (needs internet). */
  allowDownload?: boolean;
}

export class TemporalCliNotFoundError extends Error {
  override name = 'TemporalCliNotFoundError';
}

/**
 * Finds the Temporal CLI in the order the README documents: TEMPORAL_CLI_PATH, `temporal` on
 * PATH, the version-keyed cache, a `go install` build into the cache, then the SDK download.
 */
export async function provisionTemporalCli(options: ProvisionOptions = {}): Promise<TemporalCli> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.error(line));

  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (await isExecutable(explicit))
      return { type: 'existing-path', path: explicit, source: 'env' };
    throw new TemporalCliNotFoundError(
      `TEMPORAL_CLI_PATH is set to ${explicit}, but no executable is there. ` +
        'Point it at a Temporal CLI binary, or unset it to let the project build one.',
    );
  }

  const onPath = await findOnPath('temporal', env);
  if (onPath) return { type: 'existing-path', path: onPath, source: 'path' };

  const cacheDir = temporalCliCacheDir(env);
  const cached = join(cacheDir, 'temporal');
  if (await isExecutable(cached)) return { type: 'existing-path', path: cached, source: 'cache' };

  const go = await findOnPath('go', env);
  if (go) {
    await buildWithGo(go, cacheDir, env, log);
    if (await isExecutable(cached)) return { type: 'existing-path', path: cached, source: 'built' };
    throw new TemporalCliNotFoundError(`go install finished but ${cached} is missing.`);
  }

  if (options.allowDownload ?? true) {
    log('Temporal CLI: no Go toolchain found; falling back to the SDK download (needs internet).');
    return { type: 'sdk-download' };
  }
  throw new TemporalCliNotFoundError(
    'No Temporal CLI found. Install Go 1.25+ (the project then builds the CLI once, ~3 minutes), ' +
      'put `temporal` on PATH, or set TEMPORAL_CLI_PATH to a Temporal CLI binary.',
  );
}

async function buildWithGo(
  go: string,
  cacheDir: string,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  const target = `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`;
  log(`Temporal CLI: building ${target} with go install into ${cacheDir}`);
  log('Temporal CLI: this happens once per machine and takes about 3 minutes on 2 cores.');
  const started = Date.now();
  const ticker = setInterval(() => {
    log(`Temporal CLI: still building… ${Math.round((Date.now() - started) / 1000)}s`);
  }, 15_000);
  try {
    const result = await execa(go, ['install', target], {
      env: { ...env, GOBIN: cacheDir },
      reject: false,
      all: true,
      stdin: 'ignore',
    });
    if (result.exitCode !== 0) {
      await rm(join(cacheDir, 'temporal'), { force: true });
      throw new TemporalCliNotFoundError(
        `go install ${target} failed (exit ${result.exitCode}):\n${String(result.all).slice(-2000)}\n` +
          'Check that the Go module proxy is reachable, or set TEMPORAL_CLI_PATH to a Temporal CLI binary.',
      );
    }
  } finally {
    clearInterval(ticker);
  }
  log(`Temporal CLI: built in ${Math.round((Date.now() - started) / 1000)}s`);
}
