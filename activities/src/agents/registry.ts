/**
 * The agents this process knows, by name. The API only names an agent; what runs is decided
 * here, from server-side configuration (AGENTS_FILE or the defaults).
 */
import { parseAgentConfigs } from './config-file.js';
import type { AgentConfig } from './types.js';

export interface AgentRegistry {
  list(): AgentConfig[];
  get(name: string): AgentConfig | undefined;
  names(): string[];
}

/** Validates the configs (names, duplicates, argv) and freezes the set. */
export function createAgentRegistry(configs: AgentConfig[]): AgentRegistry {
  const agents = new Map(
    parseAgentConfigs(configs, 'agent registry').map((agent) => [agent.name, agent]),
  );
  return {
    list: () => [...agents.values()],
    get: (name) => agents.get(name),
    names: () => [...agents.keys()],
  };
}
