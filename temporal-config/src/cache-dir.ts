import { homedir } from 'node:os';
import { join } from 'node:path';
import { TEMPORAL_CLI_VERSION } from './version.js';

/**
 * Where the built CLI is cached: the user's cache directory, keyed by version, so every clone
 * (and CI on the same machine) reuses one 250 MB binary instead of rebuilding it.
 */
export function temporalCliCacheDir(
  env: NodeJS.ProcessEnv = process.env,
  version = TEMPORAL_CLI_VERSION,
): string {
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'industrial-orchestrator', 'temporal-cli', version);
}
