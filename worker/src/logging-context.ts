/**
 * The ids that tie a worker log line to what it is about, under one set of names whether the
 * line comes from our pino loggers or from the Temporal SDK (whose activity and workflow loggers
 * name the run id differently):
 *
 * - `sessionId` (and `taskPath` for a task's workflow, `session-<id>.<path>`), read from the
 *   workflow id, so every line of a session can be found by the id the console shows;
 * - `workflowId`, `runId`, `workflowType`: the run in Temporal Web;
 * - `activityId`, `activityType`, `attempt`, `taskQueue`: which activity and which try.
 */
import { asyncLocalStorage as activityContextStorage } from '@temporalio/activity';

export interface WorkflowLogIds {
  workflowId: string;
  sessionId?: string;
  taskPath?: string;
}

const SESSION_WORKFLOW_ID = /^session-([^.]+)(?:\.(.+))?$/;

/** `session-7f3k.2.1` → sessionId 7f3k, taskPath 2.1; other workflow ids stand alone. */
export function workflowLogIds(workflowId: string): WorkflowLogIds {
  const match = SESSION_WORKFLOW_ID.exec(workflowId);
  if (!match?.[1]) return { workflowId };
  return { workflowId, sessionId: match[1], ...(match[2] ? { taskPath: match[2] } : {}) };
}

/**
 * pino `mixin`: when the line is written from inside an activity (the SDK keeps its context in
 * an AsyncLocalStorage), that activity's ids; nothing otherwise. An explicit field of the same
 * name on the line itself wins (pino merges the line's own object after the mixin).
 */
export function activityLogContext(): Record<string, unknown> {
  const context = activityContextStorage.getStore();
  if (!context) return {};
  const { info } = context;
  return {
    ...(info.workflowExecution
      ? {
          ...workflowLogIds(info.workflowExecution.workflowId),
          runId: info.workflowExecution.runId,
        }
      : {}),
    ...(info.workflowType ? { workflowType: info.workflowType } : {}),
    activityId: info.activityId,
    activityType: info.activityType,
    attempt: info.attempt,
    taskQueue: info.taskQueue,
  };
}

/**
 * The metadata the SDK attaches to its log entries, renamed to the fields above. The activity
 * task token is left out: it is a handle that can complete the activity, not an id to search by.
 */
export function temporalLogFields(meta: Record<string, unknown>): Record<string, unknown> {
  const { taskToken: _taskToken, workflowRunId, runId, workflowId, ...rest } = meta;
  const run = runId ?? workflowRunId;
  return {
    ...rest,
    ...(typeof workflowId === 'string' ? workflowLogIds(workflowId) : {}),
    ...(run === undefined ? {} : { runId: run }),
  };
}
