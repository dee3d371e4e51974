/**
 * Whether a worker can run an agent that is a CLI with an API key: the binary is there (the
 * configured path, or the default name on PATH), answers --version, and the key's variable is
 * set. Every "no" says what to install or set.
 */
import type { AgentAvailability } from './adapter.js';
import { cliVersion } from './cli-version.js';
import { findExecutable } from './find-executable.js';

export interface CliAgentSpec {
  /** The agent's name and kind, as messages name them. */
  agent: string;
  kind: string;
  /** What the CLI is called for people (e.g. `Codex`). */
  product: string;
  /** The configured path or command name (e.g. `codex`). */
  binary: string;
  /** How to install it or point the agent at it. */
  installHint: string;
  /** The worker's variable the key is read from (apiKeyEnv). */
  keyEnv: string;
  /** Variables `--version` needs besides PATH (e.g. to keep it quiet). */
  versionEnv?: Record<string, string>;
  /** How to learn the found binary's version instead of `--version` (null: not the CLI). */
  readVersion?(path: string): Promise<string | null>;
}

export async function checkCliAvailability(
  spec: CliAgentSpec,
  env: NodeJS.ProcessEnv,
): Promise<AgentAvailability> {
  const who = `Agent "${spec.agent}" (${spec.kind})`;
  const lookup = await findExecutable(spec.binary, env);
  if (!lookup.found) {
    const where = spec.binary.includes('/')
      ? spec.binary
      : `"${spec.binary}" on the PATH (${env.PATH ?? ''})`;
    return {
      available: false,
      reason:
        `${who}: ${where} ${lookup.reason === 'not-found' ? 'was not found' : 'is not executable'}. ` +
        spec.installHint,
    };
  }
  const version = spec.readVersion
    ? await spec.readVersion(lookup.path)
    : await cliVersion(lookup.path, spec.versionEnv);
  if (version === null) {
    return {
      available: false,
      reason:
        `${who}: ${lookup.path} did not answer --version like ${spec.product} does. ` +
        spec.installHint,
    };
  }
  if (!env[spec.keyEnv]) {
    return {
      available: false,
      reason:
        `${who}: the environment variable ${spec.keyEnv} (its apiKeyEnv) is not set on this ` +
        "worker. Set it to the API key in the worker's environment; the key is read from there " +
        'at each step and never stored or logged.',
    };
  }
  return { available: true, binary: lookup.path, version };
}
