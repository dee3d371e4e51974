/**
 * Metrics read from Temporal at scrape time (the gateway keeps no copy of session state):
 * sessions by status from visibility counts, and per-agent queue backlog and pollers from the
 * task queue description. Cached briefly so many scrapers cost Temporal little.
 */
import { Gauge, type Registry } from 'prom-client';
import type { Client } from '@temporalio/client';
import { agentQueueLoad } from '@orchestrator/activities/agents/agent-queues';
import { SESSION_STATUSES } from '@orchestrator/workflows/client';
import { statusQuery } from './sessions/status.js';

export interface TemporalMetricsOptions {
  registry: Registry;
  client: Client;
  namespace: string;
  agentNames: () => Promise<string[]>;
  cacheMs?: number;
}

function cached<T>(load: () => Promise<T>, ttlMs: number): () => Promise<T> {
  let value: { at: number; promise: Promise<T> } | null = null;
  return () => {
    if (!value || Date.now() - value.at > ttlMs) {
      const promise = load();
      value = { at: Date.now(), promise };
      promise.catch(() => {
        value = null;
      });
    }
    return value.promise;
  };
}

export function registerTemporalMetrics(options: TemporalMetricsOptions): void {
  const { client, namespace, registry } = options;
  const ttl = options.cacheMs ?? 5000;

  const sessionCounts = cached(async () => {
    const counts = await Promise.all(
      SESSION_STATUSES.map(async (status) => {
        const response = await client.workflowService.countWorkflowExecutions({
          namespace,
          query: `WorkflowType = 'session' AND ${statusQuery(status)}`,
        });
        return [status, Number(response.count ?? 0)] as const;
      }),
    );
    return counts;
  }, ttl);

  const load = agentQueueLoad(client, namespace);
  const queues = cached(async () => {
    const byAgent = await load(await options.agentNames());
    return [...byAgent].map(([agent, queue]) => ({ agent, ...queue }));
  }, ttl);

  new Gauge({
    name: 'orchestrator_sessions',
    help: 'Sessions by status (Temporal visibility; closed ones included)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [status, count] of await sessionCounts()) this.set({ status }, count);
    },
  });
  new Gauge({
    name: 'orchestrator_agent_queue_backlog',
    help: 'Agent steps waiting on the agent task queue (approximate)',
    labelNames: ['agent'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const queue of await queues()) this.set({ agent: queue.agent }, queue.backlog);
    },
  });
  new Gauge({
    name: 'orchestrator_agent_pollers',
    help: 'Workers polling the agent task queue',
    labelNames: ['agent'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const queue of await queues()) this.set({ agent: queue.agent }, queue.pollers);
    },
  });
}
