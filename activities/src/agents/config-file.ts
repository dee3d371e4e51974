import { readFile } from 'node:fs/promises';
import { adapterFor, AGENT_KINDS, isAgentKind } from './adapters.js';
import { AGENT_NAME_PATTERN, CAPABILITY_PATTERN, type AgentConfig } from './types.js';

/**
 * Reads agent configurations from a JSON file (`AGENTS_FILE`): an array of agent objects.
 * The file is the operator's, so every problem is reported with the entry and field at fault.
 * Name, kind and the fields every kind shares are checked here, the rest by the kind's adapter.
 */
export async function readAgentConfigFile(path: string): Promise<AgentConfig[]> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read AGENTS_FILE ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new Error(`AGENTS_FILE ${path} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return parseAgentConfigs(parsed, `AGENTS_FILE ${path}`);
}

export function parseAgentConfigs(value: unknown, source: string): AgentConfig[] {
  if (!Array.isArray(value)) throw new Error(`${source}: expected an array of agents`);
  const seen = new Set<string>();
  return value.map((entry: unknown, index) => {
    const where = `${source}[${index}]`;
    if (typeof entry !== 'object' || entry === null)
      throw new Error(`${where}: expected an object`);
    const agent = entry as Record<string, unknown>;
    if (typeof agent.name !== 'string' || !AGENT_NAME_PATTERN.test(agent.name)) {
      throw new Error(`${where}.name: expected lowercase letters, digits and dashes`);
    }
    if (seen.has(agent.name)) throw new Error(`${where}.name: duplicate agent "${agent.name}"`);
    seen.add(agent.name);
    if (!isAgentKind(agent.kind)) {
      throw new Error(
        `${where}.kind: expected one of ${AGENT_KINDS.map((kind) => `"${kind}"`).join(', ')}`,
      );
    }
    if (agent.description !== undefined && typeof agent.description !== 'string') {
      throw new Error(`${where}.description: expected a string`);
    }
    const capabilities = agent.capabilities;
    if (
      capabilities !== undefined &&
      (!Array.isArray(capabilities) ||
        !capabilities.every((item) => typeof item === 'string' && CAPABILITY_PATTERN.test(item)))
    ) {
      throw new Error(
        `${where}.capabilities: expected an array of lowercase words (e.g. ["code", "test"])`,
      );
    }
    const max = agent.maxConcurrency;
    if (max !== undefined && (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 1)) {
      throw new Error(`${where}.maxConcurrency: expected a positive integer (worker slots)`);
    }
    const stall = agent.stallTimeoutMs;
    if (
      stall !== undefined &&
      (typeof stall !== 'number' || !Number.isSafeInteger(stall) || stall < 1)
    ) {
      throw new Error(
        `${where}.stallTimeoutMs: expected a positive integer (milliseconds without output ` +
          'before the agent is stopped and the step retried)',
      );
    }
    // Each kind checks its own fields (adapters.ts).
    return adapterFor({ kind: agent.kind } as AgentConfig).parseConfig(agent, where);
  });
}
