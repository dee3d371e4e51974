/**
 * The agent task queues this worker polls, kept in step with the registry. Every refresh it
 * reads the registry, checks each agent it may serve (binary, version, key: the adapter's
 * checkAvailability), reports the results for the API and routing, and then polls exactly the
 * queues of the agents it can run: one Temporal Worker per `agent-<name>` with the agent's
 * maxConcurrency as slots. An agent that is added starts being polled, one that is removed or
 * becomes unavailable stops (its running steps get the shutdown grace time), one whose slots
 * change is restarted with the new count. A worker never polls an agent it cannot run, so its
 * steps wait in Temporal (visible as backlog) for a worker that can.
 */
import { Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { agentSlots } from '@orchestrator/activities/agents/agent-overview';
import { checkAvailability } from '@orchestrator/activities/agents/adapters';
import type { AgentRegistry } from '@orchestrator/activities/agents/registry';
import type { AgentConfig } from '@orchestrator/activities/agents/types';
import type { AgentCheck, WorkerReports } from '@orchestrator/activities/agents/worker-reports';
import { agentTaskQueue } from '@orchestrator/workflows/task-queues';

export const DEFAULT_AGENT_REFRESH_MS = 10_000;

export interface AgentPoolOptions {
  /** Options every agent Worker shares (connection, namespace, identity, interceptors, …). */
  workerOptions: Omit<WorkerOptions, 'taskQueue' | 'activities' | 'workflowBundle'>;
  runAgentStep: (...args: never[]) => Promise<unknown>;
  registry: AgentRegistry;
  reports: WorkerReports;
  workerId: string;
  /** Only these agents (WORKER_AGENTS); all registered ones when null. */
  only: string[] | null;
  env: NodeJS.ProcessEnv;
  refreshMs?: number;
  logger: Logger;
}

interface Polling {
  worker: Worker;
  slots: number;
  run: Promise<void>;
}

export interface AgentPool {
  /** Re-reads the registry now (the gateway calls it after a change in embedded mode). */
  refresh(): Promise<void>;
  /** Task queue → Temporal worker state, for /readyz. */
  states(): Record<string, string>;
  stop(): Promise<void>;
}

export async function startAgentPool(options: AgentPoolOptions): Promise<AgentPool> {
  const { logger } = options;
  const polling = new Map<string, Polling>();
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;

  async function startPolling(agent: AgentConfig): Promise<void> {
    const slots = agentSlots(agent);
    const worker = await Worker.create({
      ...options.workerOptions,
      taskQueue: agentTaskQueue(agent.name),
      activities: { runAgentStep: options.runAgentStep },
      maxConcurrentActivityTaskExecutions: slots,
    });
    const run = worker.run().catch((error: unknown) => {
      // A failed queue worker is started again by the next refresh; the others carry on.
      logger.error({ err: error, agent: agent.name }, 'agent worker failed');
    });
    polling.set(agent.name, { worker, slots, run });
    logger.info({ agent: agent.name, slots }, 'polling agent queue');
  }

  async function stopPolling(name: string, why: string): Promise<void> {
    const entry = polling.get(name);
    if (!entry) return;
    polling.delete(name);
    if (entry.worker.getState() === 'RUNNING') entry.worker.shutdown();
    await entry.run;
    logger.info({ agent: name, why }, 'stopped polling agent queue');
  }

  async function check(agent: AgentConfig): Promise<AgentCheck> {
    const slots = agentSlots(agent);
    try {
      const found = await checkAvailability(agent, options.env);
      return found.available
        ? { agent: agent.name, available: true, reason: null, version: found.version, slots }
        : { agent: agent.name, available: false, reason: found.reason, version: null, slots };
    } catch (error) {
      return {
        agent: agent.name,
        available: false,
        reason: `Checking the agent failed: ${(error as Error).message}`,
        version: null,
        slots,
      };
    }
  }

  async function reconcile(): Promise<void> {
    const agents = (await options.registry.list()).filter(
      (agent) => !options.only || options.only.includes(agent.name),
    );
    const checks = await Promise.all(agents.map(check));
    await options.reports.report(options.workerId, checks);
    const runnable = new Map<string, AgentConfig>();
    agents.forEach((agent, index) => {
      if (checks[index]?.available) runnable.set(agent.name, agent);
    });
    for (const [name, entry] of polling) {
      const agent = runnable.get(name);
      const exited = entry.worker.getState() !== 'RUNNING';
      if (!agent) await stopPolling(name, 'removed from the registry or unavailable here');
      else if (agentSlots(agent) !== entry.slots || exited) {
        await stopPolling(name, exited ? 'its worker stopped' : 'maxConcurrency changed');
      }
    }
    for (const agent of runnable.values()) {
      if (stopped) return;
      if (!polling.has(agent.name)) await startPolling(agent);
    }
  }

  /** One reconcile at a time; a refresh asked for meanwhile runs right after. */
  function refresh(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await reconcile();
        } while (again && !stopped);
      } catch (error) {
        logger.error({ err: error }, 'agent registry refresh failed; retrying on the next tick');
      } finally {
        running = null;
      }
    })();
    return running;
  }

  await refresh();
  const timer = setInterval(() => void refresh(), options.refreshMs ?? DEFAULT_AGENT_REFRESH_MS);
  timer.unref();

  return {
    refresh,
    states: () =>
      Object.fromEntries(
        [...polling].map(([name, entry]) => [agentTaskQueue(name), entry.worker.getState()]),
      ),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await Promise.all([...polling.keys()].map((name) => stopPolling(name, 'worker stopping')));
      await options.reports
        .withdraw(options.workerId)
        .catch((error: unknown) =>
          logger.warn({ err: error }, 'could not withdraw the availability report'),
        );
    },
  };
}

export interface AgentPoolSettings {
  onlyAgents: string[] | null;
  agentRefreshMs: number;
}

/** WORKER_AGENTS (comma-separated names; unset: all) and AGENT_REFRESH_MS from the environment. */
export function readAgentPoolSettings(env: NodeJS.ProcessEnv = process.env): AgentPoolSettings {
  const only = env.WORKER_AGENTS?.split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const refresh = env.AGENT_REFRESH_MS ? Number(env.AGENT_REFRESH_MS) : DEFAULT_AGENT_REFRESH_MS;
  if (!Number.isInteger(refresh) || refresh < 100) {
    throw new Error(
      `AGENT_REFRESH_MS must be a whole number of milliseconds (100 or more), got "${env.AGENT_REFRESH_MS}"`,
    );
  }
  return { onlyAgents: only?.length ? only : null, agentRefreshMs: refresh };
}
