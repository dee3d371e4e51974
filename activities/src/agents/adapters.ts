/**
 * The adapter of each agent kind. Adding a kind: its config type in types.ts (joined into
 * AgentConfig), an adapter implementing AgentAdapter, and its line here (the map type makes a
 * missing one a compile error).
 */
import type { AgentAdapter, AgentAdapters, AgentAvailability } from './adapter.js';
import { claudeCodeAdapter } from './claude-code.js';
import { codexAdapter } from './codex.js';
import { commandAdapter } from './command.js';
import { opencodeAdapter } from './opencode.js';
import type { AgentConfig, AgentKind } from './types.js';

const ADAPTERS: AgentAdapters = {
  command: commandAdapter,
  'claude-code': claudeCodeAdapter,
  codex: codexAdapter,
  opencode: opencodeAdapter,
};

export const AGENT_KINDS = Object.keys(ADAPTERS) as AgentKind[];

export function isAgentKind(kind: unknown): kind is AgentKind {
  return typeof kind === 'string' && Object.hasOwn(ADAPTERS, kind);
}

export function adapterFor<C extends AgentConfig>(config: C): AgentAdapter<C> {
  return ADAPTERS[config.kind] as unknown as AgentAdapter<C>;
}

/**
 * Whether this worker can run the agent: its binary is installed, the secrets it names are
 * set. When not, `reason` says what to install or set.
 */
export function checkAvailability(
  config: AgentConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AgentAvailability> {
  return adapterFor(config).checkAvailability(config, env);
}
