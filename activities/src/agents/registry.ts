/**
 * The agents a process can look up by name. The API only names an agent (or asks for
 * capabilities); what runs is decided on the server, from the registry. Two implementations:
 * the Postgres-backed store (agent-store.ts) that workers and gateways share, and a fixed set
 * for unit tests and single-purpose harnesses.
 */
import { parseAgentConfigs } from './config-file.js';
import type { AgentConfig } from './types.js';

export interface AgentRegistry {
  list(): Promise<AgentConfig[]>;
  get(name: string): Promise<AgentConfig | undefined>;
}

/** A fixed set: validates the configs (names, duplicates, fields) and freezes them. */
export function createAgentRegistry(configs: AgentConfig[]): AgentRegistry {
  const agents = new Map(
    parseAgentConfigs(configs, 'agent registry').map((agent) => [agent.name, agent]),
  );
  return {
    list: () => Promise.resolve([...agents.values()]),
    get: (name) => Promise.resolve(agents.get(name)),
  };
}
