/**
 * Per-agent gauges read at scrape time from the registry view (describeAgents): measured
 * success rate and tier, availability and slots (running steps come from the workers). Labels are agent names, which
 * an operator registers (few), never session ids. Cached briefly so many scrapers cost little.
 */
import { Gauge, type Registry } from 'prom-client';
import type { AgentView } from '@orchestrator/activities/agents/agent-overview';
import { TIER_LEVELS } from '@orchestrator/activities/agents/tiers';

export interface AgentMetricsOptions {
  registry: Registry;
  describeAgents: () => Promise<AgentView[]>;
  cacheMs?: number;
}

export function registerAgentMetrics(options: AgentMetricsOptions): void {
  const ttl = options.cacheMs ?? 5000;
  let cache: { at: number; views: Promise<AgentView[]> } | null = null;
  const views = () => {
    if (!cache || Date.now() - cache.at > ttl) {
      const loading = options.describeAgents();
      cache = { at: Date.now(), views: loading };
      loading.catch(() => {
        cache = null;
      });
    }
    return cache.views;
  };
  const gauge = (
    name: string,
    help: string,
    value: (agent: AgentView) => number | null,
    labelNames: string[] = ['agent'],
  ) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [options.registry],
      async collect() {
        this.reset();
        for (const agent of await views()) {
          const measured = value(agent);
          if (measured !== null) this.set({ agent: agent.name }, measured);
        }
      },
    });

  gauge(
    'orchestrator_agent_success_ratio',
    'Succeeded / judged attempts over the agent’s recent window (the measured tier’s basis)',
    (agent) => agent.tier.successRate,
  );
  new Gauge({
    name: 'orchestrator_agent_tier',
    help: 'The agent’s measured tier: 1 for its current level (unrated included), 0 for the others',
    labelNames: ['agent', 'tier'],
    registers: [options.registry],
    async collect() {
      this.reset();
      for (const agent of await views()) {
        for (const tier of [...TIER_LEVELS, 'unrated'] as const) {
          this.set({ agent: agent.name, tier }, agent.tier.level === tier ? 1 : 0);
        }
      }
    },
  });
  gauge(
    'orchestrator_agent_available',
    '1 when a live worker can run the agent, else 0',
    (agent) => (agent.availability.available ? 1 : 0),
  );
  gauge(
    'orchestrator_agent_slots',
    'Activity slots for the agent over the live workers that can run it',
    (agent) => agent.load.slots,
  );
}
