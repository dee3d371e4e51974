import { createRequire } from 'node:module';
import {
  bundleWorkflowCode,
  Worker,
  type NativeConnection,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { ORCHESTRATOR_TASK_QUEUE } from '@orchestrator/workflows/task-queues';
import { bundleWorkflowsInChild } from './bundle-in-child.js';
import type { WorkerMetrics } from './metrics.js';
import type { WorkflowCacheSettings } from './workflow-cache.js';
import { stepMetricsInterceptor } from './step-metrics.js';
import type { WorkerTracing } from './tracing.js';

/** The activity functions a worker registers (see activities' createActivities). */
export type WorkerActivities = Record<
  (typeof ORCHESTRATION_ACTIVITIES)[number] | 'runAgentStep',
  (...args: never[]) => Promise<unknown>
>;

/** What the `orchestrator` queue serves; `runAgentStep` runs on the agent queues only. */
export const ORCHESTRATION_ACTIVITIES = [
  'prepareWorkspace',
  'prepareTaskWorkspace',
  'readPlan',
  'mergeBranches',
  'checkConflicts',
  'commitResolution',
  'resetWorkspace',
  'publishStatus',
  'routeAgent',
] as const;

export interface CreateWorkersOptions {
  connection: NativeConnection;
  namespace: string;
  activities: WorkerActivities;
  /** Pre-built bundle (tests build it once); built on demand otherwise. */
  workflowBundle?: WorkflowBundleWithSourceMap;
  identity?: string;
  /** How long running steps may finish after a shutdown request before they are cancelled. */
  shutdownGraceTime?: string;
  /** Step and session metrics, recorded by an activity interceptor. */
  metrics?: WorkerMetrics;
  /** OpenTelemetry interceptors and the workflow span sink, when tracing is on (tracing.ts). */
  tracing?: WorkerTracing | null;
  /**
   * The sticky cache's size (WORKER_MAX_CACHED_WORKFLOWS; see workflow-cache.ts); without it
   * the SDK sizes it from the heap limit: thousands on a large machine.
   */
  workflowCache?: WorkflowCacheSettings;
}

export function workflowsEntryPath(): string {
  return createRequire(import.meta.url).resolve('@orchestrator/workflows');
}

/**
 * Bundles the workflow code once (webpack + swc; a few seconds). Workflow interceptors are part
 * of the bundle (a Worker given a bundle ignores `interceptors.workflowModules`), so tracing
 * passes its module here.
 */
export async function bundleWorkflows(
  interceptorModules: string[] = [],
): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: workflowsEntryPath(),
    workflowInterceptorModules: interceptorModules,
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

/** What every Worker of this process shares: connection, namespace, identity, interceptors. */
export function commonWorkerOptions(options: CreateWorkersOptions) {
  return {
    connection: options.connection,
    namespace: options.namespace,
    shutdownGraceTime: options.shutdownGraceTime ?? '10s',
    // A stop reaches a running agent with the answer to its next heartbeat, and the SDK sends
    // those at most every 0.8 × the heartbeat timeout (24 s at 30 s): the bench saw a stopped
    // agent run on that long. Every 2 s at most, a stop takes effect within a couple of seconds,
    // for one small RPC per running step every 2 s.
    maxHeartbeatThrottleInterval: '2s',
    defaultHeartbeatThrottleInterval: '2s',
    interceptors: {
      // Tracing first: the span is open around everything else the step does.
      activity: [
        ...(options.tracing?.activityInterceptors ?? []),
        ...(options.metrics ? [stepMetricsInterceptor(options.metrics)] : []),
      ],
    },
    ...(options.identity ? { identity: options.identity } : {}),
  };
}

/**
 * The worker for the `orchestrator` queue: the workflows and the orchestration activities. The
 * agent queues (`agent-<name>`, slots = the agent's max concurrency, so excess steps wait in
 * Temporal as backlog) follow the registry: see agent-pool.ts.
 */
export async function createOrchestratorWorker(options: CreateWorkersOptions): Promise<Worker> {
  const { activities } = options;
  return Worker.create({
    ...commonWorkerOptions(options),
    taskQueue: ORCHESTRATOR_TASK_QUEUE,
    workflowBundle:
      options.workflowBundle ??
      (await bundleWorkflowsInChild(options.tracing?.workflowInterceptorModules)),
    ...options.workflowCache,
    ...(options.tracing ? { sinks: options.tracing.workflowSinks } : {}),
    activities: Object.fromEntries(
      ORCHESTRATION_ACTIVITIES.map((name) => [name, activities[name]]),
    ),
  });
}
