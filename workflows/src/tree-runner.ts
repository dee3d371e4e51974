/**
 * Runs a plan's tasks as child `task` workflows: a task starts once every task it depends on
 * has completed (independent ones start together; the session's permits bound how many agent
 * steps actually run at once), a failed task fails its dependents (skipped, with the reason)
 * and never its independent siblings. The caller merges the completed branches afterwards.
 */
import {
  CancellationScope,
  executeChild,
  isCancellation,
  ParentClosePolicy,
} from '@temporalio/workflow';
import type { Plan, PlanTask } from '@orchestrator/activities/contracts';
import { describeFailure } from './failure.js';
import { NO_USAGE } from './budget.js';
import {
  AgentNameKey,
  ParentSessionKey,
  RepositoryKey,
  SessionStatusKey,
  TaskDepthKey,
} from './search-attributes.js';
import { ORCHESTRATOR_TASK_QUEUE, taskWorkflowId } from './task-queues.js';
import type { TaskInput, TaskNode, TaskResult } from './types.js';

export interface TreeContext {
  sessionId: string;
  rootWorkflowId: string;
  /** '' when the session planned, else the planning task's path. */
  parentPath: string;
  /** Depth of the tasks this plan creates (1 for the session's own plan). */
  depth: number;
  repository: string;
  workspace: string;
  baseSha: string | null;
  settings: TaskInput['plan'];
  options: TaskInput['options'];
  /** Tells the session about new or changed nodes. */
  report(nodes: TaskNode[]): Promise<void>;
}

/** Where a plan stood when the session continued as new, to go on from there. */
export interface PlanProgress {
  nodes: TaskNode[];
  results: Record<string, TaskResult>;
  completedBranches: string[];
}

export interface RunPlanOptions {
  /** A previous run's progress on this plan. */
  resume?: PlanProgress;
  /**
   * Asked whenever no task runs and some still wait to start: true ends runPlan early with the
   * progress, so the session can continue as new with nothing in flight.
   */
  shouldYield?: () => boolean;
}

export type RunPlanResult =
  ({ yielded: false } & TreeOutcome) | { yielded: true; progress: PlanProgress };

export interface TreeOutcome {
  /** Completed tasks' branches, in an order that respects dependencies (completion order). */
  completedBranches: string[];
  completed: number;
  failed: number;
  skipped: number;
  /** One line per task that did not complete. */
  problems: string[];
}

export function childPath(parentPath: string, index: number): string {
  return parentPath ? `${parentPath}.${index + 1}` : String(index + 1);
}

export async function runPlan(
  context: TreeContext,
  plan: Plan,
  options: RunPlanOptions = {},
): Promise<RunPlanResult> {
  const nodes = new Map<string, TaskNode>();
  const carried = new Map((options.resume?.nodes ?? []).map((node) => [node.planId, node]));
  plan.tasks.forEach((task, index) => {
    const path = childPath(context.parentPath, index);
    const before = carried.get(task.id);
    if (before && before.path === path) {
      nodes.set(task.id, { ...before });
      return;
    }
    nodes.set(task.id, {
      path,
      planId: task.id,
      workflowId: taskWorkflowId(context.sessionId, path),
      title: task.title,
      status: 'pending',
      agent: task.agent ?? null,
      dependsOn: task.dependsOn,
      usage: NO_USAGE,
      startedAt: null,
      finishedAt: null,
      error: null,
    });
  });
  await context.report([...nodes.values()]);

  const results = new Map<string, TaskResult>(Object.entries(options.resume?.results ?? {}));
  const running = new Map<string, Promise<void>>();
  const outcome: TreeOutcome = {
    completedBranches: [...(options.resume?.completedBranches ?? [])],
    completed: 0,
    failed: 0,
    skipped: 0,
    problems: [],
  };
  const done = (id: string) => nodes.get(id)?.status;

  const start = (task: PlanTask, node: TaskNode) => {
    node.status = 'running';
    const input: TaskInput = {
      sessionId: context.sessionId,
      rootWorkflowId: context.rootWorkflowId,
      path: node.path,
      depth: context.depth,
      task,
      repository: context.repository,
      parentWorkspace: context.workspace,
      baseSha: context.baseSha,
      dependencyBranches: task.dependsOn
        .map((id) => results.get(id)?.branch)
        .filter((branch): branch is string => Boolean(branch)),
      plan: context.settings,
      ...(context.options ? { options: context.options } : {}),
    };
    const child = executeChild('task', {
      workflowId: node.workflowId,
      taskQueue: ORCHESTRATOR_TASK_QUEUE,
      args: [input],
      parentClosePolicy: ParentClosePolicy.TERMINATE,
      typedSearchAttributes: [
        { key: SessionStatusKey, value: 'pending' },
        { key: ParentSessionKey, value: context.sessionId },
        { key: TaskDepthKey, value: context.depth },
        { key: RepositoryKey, value: context.repository },
        ...(task.agent ? [{ key: AgentNameKey, value: task.agent }] : []),
      ],
      memo: { title: task.title, goal: task.goal, path: node.path },
    }).then(
      (result) => {
        results.set(task.id, result);
        node.status = result.status === 'completed' ? 'completed' : 'failed';
        node.error = result.error;
      },
      async (error: unknown) => {
        node.status = isCancellation(error) ? 'cancelled' : 'failed';
        node.error = describeFailure(error);
        // The task could not report its own end (terminated, say): the session must hear it.
        node.finishedAt = new Date().toISOString();
        await context.report([node]);
      },
    );
    running.set(task.id, child);
  };

  for (;;) {
    if (CancellationScope.current().consideredCancelled) {
      // A stop: what has not started never will.
      const unstarted = [...nodes.values()].filter((node) => node.status === 'pending');
      for (const node of unstarted) node.status = 'cancelled';
      if (unstarted.length > 0)
        await CancellationScope.nonCancellable(() => context.report(unstarted));
      if (running.size === 0) break;
    }
    const waiting = [...nodes.values()].some((node) => node.status === 'pending');
    if (running.size === 0 && waiting && options.shouldYield?.()) {
      return {
        yielded: true,
        progress: {
          nodes: [...nodes.values()],
          results: Object.fromEntries(results),
          completedBranches: outcome.completedBranches,
        },
      };
    }
    for (const task of plan.tasks) {
      const node = nodes.get(task.id);
      if (!node || node.status !== 'pending') continue;
      const failedDependency = task.dependsOn.find((id) => {
        const status = done(id);
        return status === 'failed' || status === 'skipped' || status === 'cancelled';
      });
      if (failedDependency) {
        node.status = 'skipped';
        node.error = `skipped: task ${nodes.get(failedDependency)?.path ?? failedDependency} (${failedDependency}) did not complete`;
        node.finishedAt = new Date().toISOString();
        await context.report([node]);
        continue;
      }
      if (task.dependsOn.every((id) => done(id) === 'completed')) start(task, node);
    }
    if (running.size === 0) break;
    const finished = await Promise.race(
      [...running.entries()].map(([id, promise]) => promise.then(() => id)),
    );
    running.delete(finished);
    const result = results.get(finished);
    if (result?.status === 'completed') outcome.completedBranches.push(result.branch);
  }

  for (const node of nodes.values()) {
    if (node.status === 'completed') outcome.completed++;
    else if (node.status === 'skipped') outcome.skipped++;
    else outcome.failed++;
    if (node.status !== 'completed') {
      outcome.problems.push(`${node.path} ${node.planId}: ${node.error ?? node.status}`);
    }
  }
  return { yielded: false, ...outcome };
}
