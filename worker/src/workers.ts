import { createRequire } from 'node:module';
import {
  bundleWorkflowCode,
  Worker,
  type NativeConnection,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type { AgentConfig } from '@orchestrator/activities/agents/types';
import { agentTaskQueue, ORCHESTRATOR_TASK_QUEUE } from '@orchestrator/workflows/task-queues';
import type { WorkerMetrics } from './metrics.js';
import { stepMetricsInterceptor } from './step-metrics.js';

/** The activity functions a worker registers (see activities' createActivities). */
export interface WorkerActivities {
  prepareWorkspace: (...args: never[]) => Promise<unknown>;
  publishStatus: (...args: never[]) => Promise<unknown>;
  runAgentStep: (...args: never[]) => Promise<unknown>;
}

export interface CreateWorkersOptions {
  connection: NativeConnection;
  namespace: string;
  activities: WorkerActivities;
  agents: AgentConfig[];
  /** Pre-built bundle (tests build it once); built on demand otherwise. */
  workflowBundle?: WorkflowBundleWithSourceMap;
  identity?: string;
  /** How long running steps may finish after a shutdown request before they are cancelled. */
  shutdownGraceTime?: string;
  /** Step and session metrics, recorded by an activity interceptor. */
  metrics?: WorkerMetrics;
}

const DEFAULT_AGENT_CONCURRENCY = 2;

export function workflowsEntryPath(): string {
  return createRequire(import.meta.url).resolve('@orchestrator/workflows');
}

/** Bundles the workflow code once (webpack + swc; a few seconds). */
export async function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: workflowsEntryPath(),
    logger: {
      log: () => {},
      trace: () => {},
      debug: () => {},
      info: () => {},
      warn: console.warn,
      error: console.error,
    },
  });
}

/**
 * One worker for the `orchestrator` queue (workflows and orchestration activities) and one per
 * agent queue `agent-<name>`, whose activity slots are the agent's max concurrency: excess steps
 * wait in Temporal, visible as backlog, instead of overloading the machine.
 */
export async function createWorkers(options: CreateWorkersOptions): Promise<Worker[]> {
  const { activities } = options;
  const common = {
    connection: options.connection,
    namespace: options.namespace,
    shutdownGraceTime: options.shutdownGraceTime ?? '10s',
    ...(options.metrics
      ? { interceptors: { activity: [stepMetricsInterceptor(options.metrics)] } }
      : {}),
    ...(options.identity ? { identity: options.identity } : {}),
  };
  const workflowBundle = options.workflowBundle ?? (await bundleWorkflows());
  const orchestrator = await Worker.create({
    ...common,
    taskQueue: ORCHESTRATOR_TASK_QUEUE,
    workflowBundle,
    activities: {
      prepareWorkspace: activities.prepareWorkspace,
      publishStatus: activities.publishStatus,
    },
  });
  const agentWorkers = await Promise.all(
    options.agents.map((agent) =>
      Worker.create({
        ...common,
        taskQueue: agentTaskQueue(agent.name),
        activities: { runAgentStep: activities.runAgentStep },
        maxConcurrentActivityTaskExecutions: agent.maxConcurrency ?? DEFAULT_AGENT_CONCURRENCY,
      }),
    ),
  );
  return [orchestrator, ...agentWorkers];
}

/** Runs the workers until they are shut down; rejects if any of them fails. */
export async function runWorkers(workers: Worker[]): Promise<void> {
  const runs = workers.map((worker) => worker.run());
  try {
    await Promise.all(runs);
  } catch (error) {
    // One failed: stop the others so the process does not limp on half-working.
    for (const worker of workers) {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    }
    await Promise.allSettled(runs);
    throw error;
  }
}
