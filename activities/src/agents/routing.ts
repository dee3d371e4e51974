/**
 * Routing: which agent runs a step that asks for capabilities instead of naming an agent.
 * Eligible agents have every capability asked for, are available on a live worker, are not
 * degraded, and meet the minimum tier (unrated agents count as competent). Among them, one with
 * a free slot beats one without; then the higher tier; then the lighter load
 * ((running + queued) / slots); then the name, so equal candidates are picked the same way
 * every time. The decision carries why, for the checkpoint and the log.
 */
import type { AgentView } from './agent-overview.js';
import { tierRank, type TierLevel } from './tiers.js';

export interface RouteRequest {
  capabilities: string[];
  minTier?: TierLevel;
}

export interface RouteCandidate {
  name: string;
  eligible: boolean;
  /** Why it was passed over, or its standing when eligible. */
  why: string;
}

export interface RouteDecision {
  agent: string;
  reason: string;
  candidates: RouteCandidate[];
}

export class NoEligibleAgentError extends Error {
  constructor(
    message: string,
    readonly candidates: RouteCandidate[],
  ) {
    super(message);
    this.name = 'NoEligibleAgentError';
  }
}

function percent(rate: number | null): string {
  return rate === null ? 'no data' : `${Math.round(rate * 100)}%`;
}

function standing(agent: AgentView): string {
  const { tier, load } = agent;
  return (
    `tier ${tier.level} (${percent(tier.successRate)} of ${tier.steps} steps), ` +
    `load ${load.running} running + ${load.backlog} queued / ${load.slots} slots`
  );
}

function loadRatio(agent: AgentView): number {
  return (agent.load.running + agent.load.backlog) / Math.max(agent.load.slots, 1);
}

function hasFreeSlot(agent: AgentView): boolean {
  return agent.load.running + agent.load.backlog < agent.load.slots;
}

function exclusion(agent: AgentView, request: RouteRequest): string | null {
  const missing = request.capabilities.filter((cap) => !agent.capabilities.includes(cap));
  if (missing.length > 0) return `lacks ${missing.join(', ')}`;
  if (!agent.availability.available) {
    return `unavailable: ${agent.availability.reason ?? 'no worker runs it'}`;
  }
  if (agent.tier.level === 'degraded') return `degraded (${percent(agent.tier.successRate)})`;
  if (request.minTier && tierRank(agent.tier.level) < tierRank(request.minTier)) {
    return `tier ${agent.tier.level} is below ${request.minTier}`;
  }
  return null;
}

function compare(a: AgentView, b: AgentView): number {
  return (
    Number(hasFreeSlot(b)) - Number(hasFreeSlot(a)) ||
    tierRank(b.tier.level) - tierRank(a.tier.level) ||
    loadRatio(a) - loadRatio(b) ||
    a.name.localeCompare(b.name)
  );
}

export function chooseAgent(request: RouteRequest, agents: AgentView[]): RouteDecision {
  const eligible: AgentView[] = [];
  const passedOver: RouteCandidate[] = [];
  for (const agent of agents) {
    const why = exclusion(agent, request);
    if (why) passedOver.push({ name: agent.name, eligible: false, why });
    else eligible.push(agent);
  }
  eligible.sort(compare);
  const ranked = eligible.map((agent) => ({
    name: agent.name,
    eligible: true,
    why: standing(agent),
  }));
  const candidates = [...ranked, ...passedOver];
  const asked =
    (request.capabilities.length ? request.capabilities.join(', ') : 'any capability') +
    (request.minTier ? `, tier ≥ ${request.minTier}` : '');
  const [best] = eligible;
  if (!best) {
    throw new NoEligibleAgentError(
      `No agent can take a step asking for ${asked}: ` +
        (passedOver.length
          ? passedOver.map((c) => `${c.name} ${c.why}`).join('; ')
          : 'the registry is empty') +
        '. Register an agent with those capabilities (POST /api/agents) or start a worker that ' +
        'can run one.',
      candidates,
    );
  }
  const runnersUp = ranked.slice(1, 3).map((c) => `${c.name} (${c.why})`);
  // Those that had the capabilities but were skipped say the most about the choice.
  const skipped = passedOver.filter((c) => !c.why.startsWith('lacks '));
  return {
    agent: best.name,
    reason:
      `${best.name} for ${asked}: ${standing(best)}` +
      (hasFreeSlot(best) ? ', free slot' : ', no free slot (least loaded)') +
      (runnersUp.length ? `; over ${runnersUp.join(', ')}` : '') +
      (skipped.length
        ? `; passed over ${skipped.map((c) => `${c.name} (${c.why})`).join(', ')}`
        : ''),
    candidates,
  };
}
