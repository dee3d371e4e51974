import { homedir } from 'node:os';
import { join } from 'node:path';
import { TEMPORAL_CLI_VERSION } from './version.js';

/** The project's root in the user's cache directory (`$XDG_CACHE_HOME` or `~/.cache`). */
export function projectCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'industrial-orchestrator');
}

/**
 * Where the built CLI is cached: the user's cache directory, keyed by version, so every clone
 * (and CI on the same machine) reuses one 250 MB binary instead of rebuilding it.
 */
export function temporalCliCacheDir(
  env: NodeJS.ProcessEnv = process.env,
  version = TEMPORAL_CLI_VERSION,
): string {
  return join(projectCacheDir(env), 'temporal-cli', version);
}
