import { delimiter, resolve } from 'node:path';

/**
 * Settings shared by every process that touches storage or workspaces (worker, gateway,
 * launcher), read from the environment with the embedded defaults of DESIGN.md.
 */
export interface StorageSettings {
  /** Root of local state (`.data/` by default): PGlite files, workspaces, sample repository. */
  dataDir: string;
  /** Postgres URL; null means embedded PGlite under dataDir. */
  databaseUrl: string | null;
  /** Redis URL; null means the in-process log bus. */
  redisUrl: string | null;
  /** Prefix of every Redis key, so several deployments (or test runs) can share one Redis. */
  redisKeyPrefix: string;
  workspacesDir: string;
  /** Local repository paths must be under one of these. */
  allowedRoots: string[];
  /** JSON file of agent configurations; null means the built-in defaults. */
  agentsFile: string | null;
}

export function readStorageSettings(env: NodeJS.ProcessEnv = process.env): StorageSettings {
  const dataDir = resolve(env.DATA_DIR || '.data');
  const roots = env.ALLOWED_REPO_ROOTS;
  return {
    dataDir,
    databaseUrl: env.DATABASE_URL || null,
    redisUrl: env.REDIS_URL || null,
    redisKeyPrefix: env.REDIS_KEY_PREFIX || 'io',
    workspacesDir: resolve(env.WORKSPACES_DIR || `${dataDir}/workspaces`),
    allowedRoots:
      roots === undefined
        ? [resolve(dataDir, 'repos')]
        : roots
            .split(delimiter)
            .filter(Boolean)
            .map((root) => resolve(root)),
    agentsFile: env.AGENTS_FILE ? resolve(env.AGENTS_FILE) : null,
  };
}
