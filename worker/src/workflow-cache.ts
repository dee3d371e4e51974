/**
 * How many workflows a worker keeps in its sticky cache (WORKER_MAX_CACHED_WORKFLOWS).
 *
 * A cached workflow answers its next task at once; an evicted one is replayed from its history
 * first (correct either way, only slower: a session's history is short, so a replay costs a few
 * ms of CPU on the wake-up). The SDK sizes the cache from the heap limit, about 600 workflows
 * per GiB: on a machine with a large heap every waiting session (a backlogged step, a pause, an
 * approval) stays in memory, ~250 kB each, for as long as it waits. The default keeps the
 * workflows that are actually running warm and lets the waiting ones go.
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 100;
/** The SDK's workflow task slots (40 by default) cannot exceed a non-zero cache size. */
const SDK_WORKFLOW_TASK_SLOTS = 40;

export interface WorkflowCacheSettings {
  maxCachedWorkflows: number;
  /** Concurrent workflow tasks: the SDK's 40, or the cache size when that is smaller. */
  maxConcurrentWorkflowTaskExecutions: number;
}

export function readWorkflowCacheSettings(
  env: NodeJS.ProcessEnv = process.env,
): WorkflowCacheSettings {
  const raw = env.WORKER_MAX_CACHED_WORKFLOWS?.trim();
  const value = raw ? Number(raw) : DEFAULT_MAX_CACHED_WORKFLOWS;
  // 1 is no size the SDK accepts (it would silently use 2): refuse it rather than surprise.
  if (!Number.isInteger(value) || value < 0 || value === 1) {
    throw new Error(
      `WORKER_MAX_CACHED_WORKFLOWS must be 0 (no cache: every workflow task replays) or an ` +
        `integer of 2 or more (default ${DEFAULT_MAX_CACHED_WORKFLOWS}), got "${env.WORKER_MAX_CACHED_WORKFLOWS}"`,
    );
  }
  return {
    maxCachedWorkflows: value,
    maxConcurrentWorkflowTaskExecutions:
      value === 0 ? SDK_WORKFLOW_TASK_SLOTS : Math.min(SDK_WORKFLOW_TASK_SLOTS, value),
  };
}
