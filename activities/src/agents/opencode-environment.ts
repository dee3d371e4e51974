/**
 * What `opencode serve` starts with: an environment built, not inherited (cli-environment.ts),
 * its configuration inline, a password for its HTTP API, and a HOME of its own in the step's
 * state dir, where OpenCode keeps its database (the sessions a retry resumes).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentStepInput } from '../contracts.js';
import type { AgentStateDir } from './agent-state-dir.js';
import { passedThroughEnvironment, stateDirEnvironment } from './cli-environment.js';
import {
  OPENCODE_KEY_VARIABLE,
  opencodeApiKeyEnv,
  opencodeRuntimeConfig,
} from './opencode-config.js';
import { orchestratorEnvironment } from './orchestrator-environment.js';
import type { OpenCodeAgentConfig } from './types.js';

/** Update checks, plugin and language-server downloads: traffic a worker has no use for. */
const QUIET = {
  OPENCODE_DISABLE_AUTOUPDATE: '1',
  OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
  OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
  OPENCODE_DISABLE_SHARE: '1',
  NO_COLOR: '1',
};

export function opencodeEnvironment(
  config: OpenCodeAgentConfig,
  input: AgentStepInput,
  state: AgentStateDir,
  workerEnv: NodeJS.ProcessEnv,
  serverPassword: string,
): Record<string, string> {
  const key = workerEnv[opencodeApiKeyEnv(config)];
  return {
    ...passedThroughEnvironment(workerEnv),
    ...QUIET,
    // A custom provider's model is in the configuration: no catalogue to fetch from models.dev.
    ...(config.baseUrl ? { OPENCODE_DISABLE_MODELS_FETCH: '1' } : {}),
    ...config.env,
    ...stateDirEnvironment(state),
    OPENCODE_CONFIG_CONTENT: JSON.stringify(opencodeRuntimeConfig(config)),
    OPENCODE_SERVER_PASSWORD: serverPassword,
    ...(key ? { [OPENCODE_KEY_VARIABLE]: key } : {}),
    ...orchestratorEnvironment(config.name, input),
  };
}

/**
 * OpenCode installs `@opencode-ai/plugin` with npm into each of its configuration directories
 * when it loads them, in the background (for local plugins, which a step's fresh HOME has
 * none of): from the npm registry, at every run. It skips the install when the directory's
 * package-lock.json already lists what its package.json does, so the HOME's configuration
 * directory gets both, listing the plugin package. A repository's own `.opencode/` is left as
 * it is: its plugins are the repository's business.
 */
export async function prepareOpenCodeHome(state: AgentStateDir): Promise<void> {
  const dir = join(state.home, '.config', 'opencode');
  await mkdir(join(dir, 'node_modules'), { recursive: true, mode: 0o700 });
  const dependencies = { '@opencode-ai/plugin': '*' };
  await writeFile(join(dir, 'package.json'), JSON.stringify({ dependencies }));
  await writeFile(
    join(dir, 'package-lock.json'),
    JSON.stringify({ lockfileVersion: 3, packages: { '': { dependencies } } }),
  );
}
