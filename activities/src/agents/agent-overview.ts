/**
 * One view of every agent for the API, the console and routing: its configuration (secret-free
 * by construction), measured tier, availability on the live workers and why not, and live load
 * (running attempts, Temporal backlog, pollers, slots). Each source is read once per call.
 */
import type { AgentRecord, AgentStore } from './agent-store.js';
import type { AgentQueueLoad } from './agent-queues.js';
import type { StepLedger } from './step-ledger.js';
import { TIER_WINDOW, type AgentTier } from './tiers.js';
import type { AgentConfig } from './types.js';
import type { AgentAvailabilitySummary, WorkerReports } from './worker-reports.js';

/** A worker that has not reported for this long is considered gone. */
export const WORKER_FRESH_MS = 45_000;
const DEFAULT_SLOTS = 2;

export interface AgentView {
  name: string;
  kind: AgentConfig['kind'];
  description: string;
  model: string | null;
  capabilities: string[];
  /** Slots per worker (its task queue's activity slots on each worker that runs it). */
  maxConcurrency: number;
  /** The flat configuration as PUT accepts it (secrets are environment variable names). */
  config: AgentConfig;
  tier: AgentTier;
  availability: {
    available: boolean;
    reason: string | null;
    workers: number;
    version: string | null;
  };
  load: { running: number; backlog: number; pollers: number; slots: number };
  createdAt: string;
  updatedAt: string;
}

export interface AgentOverviewSources {
  store: Pick<AgentStore, 'records'>;
  ledger: Pick<StepLedger, 'tiers' | 'running'>;
  workers: Pick<WorkerReports, 'summary'>;
  /** Temporal's view of the queues; null where no Temporal connection is at hand. */
  queues: AgentQueueLoad | null;
  freshMs?: number;
}

export function agentSlots(config: AgentConfig): number {
  return config.maxConcurrency ?? DEFAULT_SLOTS;
}

function modelOf(config: AgentConfig): string | null {
  return 'model' in config && typeof config.model === 'string' ? config.model : null;
}

const NO_WORKER: AgentAvailabilitySummary = {
  available: false,
  reason:
    'No running worker has reported this agent yet. Start a worker (npm start, or the worker ' +
    'Deployment); it checks every registered agent within seconds.',
  workers: 0,
  version: null,
  slots: 0,
};

export function toAgentView(
  record: AgentRecord,
  facts: {
    tier: AgentTier | undefined;
    availability: AgentAvailabilitySummary | undefined;
    running: number;
    backlog: number;
    pollers: number;
  },
): AgentView {
  const { config } = record;
  const availability = facts.availability ?? NO_WORKER;
  return {
    name: config.name,
    kind: config.kind,
    description: config.description ?? '',
    model: modelOf(config),
    capabilities: config.capabilities ?? [],
    maxConcurrency: agentSlots(config),
    config,
    tier: facts.tier ?? { level: 'unrated', successRate: null, steps: 0 },
    availability: {
      available: availability.available,
      reason: availability.reason,
      workers: availability.workers,
      version: availability.version,
    },
    load: {
      running: facts.running,
      backlog: facts.backlog,
      pollers: facts.pollers,
      slots: availability.slots,
    },
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  };
}

export async function describeAgents(sources: AgentOverviewSources): Promise<AgentView[]> {
  const freshMs = sources.freshMs ?? WORKER_FRESH_MS;
  const records = await sources.store.records();
  const names = records.map((record) => record.config.name);
  const [tiers, running, availability, queues] = await Promise.all([
    sources.ledger.tiers(TIER_WINDOW),
    sources.ledger.running(freshMs),
    sources.workers.summary(freshMs),
    // Temporal being unreachable must not hide the registry: load then reads as unknown (0).
    sources.queues ? sources.queues(names).catch(() => null) : Promise.resolve(null),
  ]);
  return records.map((record) => {
    const name = record.config.name;
    const queue = queues?.get(name);
    return toAgentView(record, {
      tier: tiers.get(name),
      availability: availability.get(name),
      running: running.get(name) ?? 0,
      backlog: queue?.backlog ?? 0,
      pollers: queue?.pollers ?? 0,
    });
  });
}
