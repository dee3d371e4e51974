/**
 * The worker's own Prometheus metrics: what agent steps do, by agent and outcome. Labels stay
 * low-cardinality (agent names come from server configuration; never session ids). The
 * Temporal SDK's metrics are separate: the runtime serves them (see runtime.ts).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type StepOutcome = 'completed' | 'failed' | 'cancelled' | 'error';

export interface WorkerMetrics {
  steps: Counter<'agent' | 'outcome'>;
  stepDuration: Histogram<'agent' | 'outcome'>;
  stepsRunning: Gauge<'agent'>;
  stepRetries: Counter<'agent'>;
  agentStalls: Counter<'agent'>;
  tokens: Counter<'agent' | 'type'>;
  costUsd: Counter<'agent'>;
  logLines: Counter<'agent'>;
  sessionTransitions: Counter<'status'>;
}

/** Registers the worker metrics on `registry` (idempotent per registry). */
export function createWorkerMetrics(registry: Registry): WorkerMetrics {
  const existing = registry.getSingleMetric('orchestrator_agent_steps_total');
  if (existing) return workerMetricsByRegistry.get(registry) as WorkerMetrics;
  const registers = [registry];
  const metrics: WorkerMetrics = {
    steps: new Counter({
      name: 'orchestrator_agent_steps_total',
      help: 'Agent steps finished, by agent and outcome (completed, failed, cancelled, error = retryable)',
      labelNames: ['agent', 'outcome'],
      registers,
    }),
    stepDuration: new Histogram({
      name: 'orchestrator_agent_step_duration_seconds',
      help: 'Wall time of one agent step attempt',
      labelNames: ['agent', 'outcome'],
      buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
      registers,
    }),
    stepsRunning: new Gauge({
      name: 'orchestrator_agent_steps_running',
      help: 'Agent steps running on this worker',
      labelNames: ['agent'],
      registers,
    }),
    stepRetries: new Counter({
      name: 'orchestrator_agent_step_retries_total',
      help: 'Agent step attempts after the first (worker crash, model error, kill)',
      labelNames: ['agent'],
      registers,
    }),
    agentStalls: new Counter({
      name: 'orchestrator_agent_stalls_total',
      help: 'Agent step attempts stopped by the stall watchdog (no output for the agent stallTimeoutMs)',
      labelNames: ['agent'],
      registers,
    }),
    tokens: new Counter({
      name: 'orchestrator_agent_tokens_total',
      help: 'Model tokens used by agent steps, by type (input, output, cache_read, cache_write)',
      labelNames: ['agent', 'type'],
      registers,
    }),
    costUsd: new Counter({
      name: 'orchestrator_agent_cost_usd_total',
      help: 'Model cost reported by agent steps, in US dollars',
      labelNames: ['agent'],
      registers,
    }),
    logLines: new Counter({
      name: 'orchestrator_agent_log_lines_total',
      help: 'Log lines agent steps produced',
      labelNames: ['agent'],
      registers,
    }),
    sessionTransitions: new Counter({
      name: 'orchestrator_session_transitions_total',
      help: 'Session status changes recorded by workflows, by the status entered',
      labelNames: ['status'],
      registers,
    }),
  };
  workerMetricsByRegistry.set(registry, metrics);
  return metrics;
}

const workerMetricsByRegistry = new WeakMap<Registry, WorkerMetrics>();
