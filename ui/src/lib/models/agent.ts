import {
  AGENT_TIERS,
  type Agent,
  type AgentAvailability,
  type AgentConfig,
  type AgentLoad,
  type AgentTier,
  type AgentTierLevel,
} from '$lib/types/api';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function tierOf(value: unknown): AgentTier | null {
  if (!isRecord(value)) return null;
  const level = AGENT_TIERS.includes(value.level as AgentTierLevel)
    ? (value.level as AgentTierLevel)
    : 'unrated';
  const rate = value.successRate;
  return {
    level,
    successRate: typeof rate === 'number' && rate >= 0 && rate <= 1 ? rate : null,
    steps: count(value.steps),
  };
}

function availabilityOf(value: unknown): AgentAvailability | null {
  if (!isRecord(value) || typeof value.available !== 'boolean') return null;
  return {
    available: value.available,
    reason: text(value.reason),
    workers: count(value.workers),
    version: text(value.version),
  };
}

function loadOf(value: unknown): AgentLoad | null {
  if (!isRecord(value)) return null;
  return {
    running: count(value.running),
    backlog: count(value.backlog),
    pollers: count(value.pollers),
    slots: count(value.slots),
  };
}

/**
 * One entry of GET /api/agents as the console uses it. Tolerant on purpose: a gateway that
 * only lists names and kinds still gives a usable row, with tier, availability and load unknown.
 */
export function toAgent(value: unknown): Agent | null {
  if (!isRecord(value) || typeof value.name !== 'string' || typeof value.kind !== 'string') {
    return null;
  }
  const config: AgentConfig = isRecord(value.config)
    ? { ...(value.config as AgentConfig), name: value.name, kind: value.kind }
    : {
        name: value.name,
        kind: value.kind,
        ...(typeof value.description === 'string' ? { description: value.description } : {}),
      };
  const capabilities = Array.isArray(value.capabilities)
    ? value.capabilities.filter((item): item is string => typeof item === 'string')
    : [];
  return {
    name: value.name,
    kind: value.kind,
    description: typeof value.description === 'string' ? value.description : '',
    model: text(value.model),
    capabilities,
    maxConcurrency: count(value.maxConcurrency),
    config,
    tier: tierOf(value.tier),
    availability: availabilityOf(value.availability),
    load: loadOf(value.load),
    createdAt: text(value.createdAt),
    updatedAt: text(value.updatedAt),
  };
}

export function toAgents(value: unknown): Agent[] {
  const items = isRecord(value) && Array.isArray(value.items) ? value.items : [];
  return items.map(toAgent).filter((agent): agent is Agent => agent !== null);
}

/** "87%" for a success rate, "—" when there is none yet. */
export function formatRate(rate: number | null): string {
  return rate === null ? '—' : `${Math.round(rate * 100)}%`;
}

/** Busy share of an agent's slots, 0..1 (1 when it has a backlog and no free slot). */
export function loadRatio(load: AgentLoad): number {
  if (load.slots <= 0) return load.running > 0 || load.backlog > 0 ? 1 : 0;
  return Math.min(1, load.running / load.slots);
}

/** Agents worth showing as active: running or queued work first, then the available ones. */
export function activeAgents(agents: readonly Agent[]): Agent[] {
  const busy = (agent: Agent) => (agent.load ? agent.load.running + agent.load.backlog : 0);
  return [...agents]
    .filter((agent) => busy(agent) > 0 || agent.availability?.available !== false)
    .sort((a, b) => busy(b) - busy(a) || a.name.localeCompare(b.name));
}
