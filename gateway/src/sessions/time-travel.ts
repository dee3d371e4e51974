/**
 * Going back to a checkpoint. Rewinding (`retry` with a checkpoint) resets the session
 * workflow to the workflow task that received that checkpoint's step result: Temporal starts a
 * new run from the history up to there and terminates the current one, whose history is kept;
 * the rerun hands the checkpoint's commit to its next step as the base, which puts the
 * workspace back there. Forking starts a new session whose workspace begins at a checkpoint's
 * commit (any checkpoint, a task's too), linked to its origin.
 */
import { randomUUID } from 'node:crypto';
import { status as grpcStatus } from '@grpc/grpc-js';
import { isGrpcServiceError, WorkflowNotFoundError } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { Checkpoint, SessionState } from '@orchestrator/workflows/client';
import { conflict, HttpProblem } from '../problem.js';
import type { SessionDetail } from '../schemas.js';
import { newSessionId } from './ids.js';
import { agentChoice, runSettings, type StoredMemo } from './memo.js';
import type { SessionService } from './service.js';
import { isClosed } from './status.js';

const { ResetReapplyExcludeType, ResetReapplyType } = proto.temporal.api.enums.v1;
const { ResetWorkflowExecutionRequest } = proto.temporal.api.workflowservice.v1;

/** The checkpoint with that seq, or a 404 naming the request field that asked for it. */
export function findCheckpoint(
  sessionId: string,
  state: Pick<SessionState, 'checkpoints'>,
  seq: number,
  field: string,
): Checkpoint {
  const checkpoint = state.checkpoints.find((c) => c.seq === seq);
  if (checkpoint) return checkpoint;
  const last = state.checkpoints.at(-1)?.seq;
  const message =
    last === undefined
      ? 'The session has no checkpoints yet'
      : `Checkpoints of this session are numbered 1 to ${last}`;
  throw new HttpProblem(404, 'Not Found', `Session "${sessionId}" has no checkpoint ${seq}.`, [
    { path: field, message },
  ]);
}

export interface RewindResult {
  detail: SessionDetail;
  resetTo: { checkpoint: number; eventId: number };
}

export async function rewindSession(
  sessions: SessionService,
  sessionId: string,
  seq: number,
  by: string,
): Promise<RewindResult> {
  const { info, state } = await sessions.requireState(sessionId);
  const checkpoint = findCheckpoint(sessionId, state, seq, 'body.checkpoint');
  if (checkpoint.workflowId !== info.workflowId) {
    throw conflict(
      `Checkpoint ${seq} is a step of task ${checkpoint.taskPath || checkpoint.workflowId}, ` +
        `not of session "${sessionId}" itself: a task cannot be rewound on its own. Fork from ` +
        `it instead (POST /api/sessions/${sessionId}/fork {"checkpoint": ${seq}}).`,
    );
  }
  if (!isClosed(info) && (state.tree ?? []).length > 0) {
    await closeRunningTree(
      sessions,
      info.workflowId,
      state,
      `Rewound to checkpoint ${seq} by ${by}`,
    );
  }
  let runId: string;
  try {
    const response = await sessions.client.workflowService.resetWorkflowExecution(
      ResetWorkflowExecutionRequest.fromObject({
        namespace: sessions.namespace,
        // The run that recorded the checkpoint: an earlier one when the session continued as
        // new since (Temporal then terminates the current run and starts from that history).
        workflowExecution: { workflowId: info.workflowId, runId: checkpoint.runId ?? info.runId },
        reason: `Rewound to checkpoint ${seq} through the gateway by ${by}`,
        workflowTaskFinishEventId: checkpoint.eventId,
        requestId: randomUUID(),
        // What operators signalled after the checkpoint belongs to the abandoned future.
        resetReapplyType: ResetReapplyType.RESET_REAPPLY_TYPE_NONE,
        resetReapplyExcludeTypes: [
          ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL,
          ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_UPDATE,
        ],
      }),
    );
    runId = response.runId ?? '';
  } catch (error) {
    const refused =
      isGrpcServiceError(error) &&
      (error.code === grpcStatus.INVALID_ARGUMENT || error.code === grpcStatus.FAILED_PRECONDITION);
    if (refused) {
      throw conflict(
        `Temporal refused to reset session "${sessionId}" to checkpoint ${seq} (event ` +
          `${checkpoint.eventId}): ${error.details || error.message}`,
      );
    }
    throw error;
  }
  sessions.forgetCounts();
  const rewound = await sessions.client.workflow.getHandle(info.workflowId, runId).describe();
  return {
    detail: await sessions.detail(rewound),
    resetTo: { checkpoint: seq, eventId: checkpoint.eventId },
  };
}

/** How long a rewind waits for a terminated tree's task workflows to close. */
const TREE_CLOSE_TIMEOUT_MS = 15_000;

/**
 * Ends a running tree before it is reset. Resetting a running session terminates its run, and
 * Temporal then terminates its task workflows (parent close policy) a moment later, on its own
 * time: the new run starting its tasks under the same ids would find them still running
 * ("Workflow execution already started") and fail them. So the run is terminated first, here,
 * and the rewind waits until every task workflow the tree knows has closed, terminating any
 * that outlive the wait. Their agents stop at their next heartbeat, and a new attempt of the
 * same step stops whatever of its predecessor is left.
 */
async function closeRunningTree(
  sessions: SessionService,
  workflowId: string,
  state: SessionState,
  reason: string,
): Promise<void> {
  const { client } = sessions;
  // A workflow that closed on its own meanwhile is as good as terminated.
  const terminate = (id: string) =>
    client.workflow
      .getHandle(id)
      .terminate(reason)
      .catch((error: unknown) => {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      });
  const isOpen = async (id: string) => {
    try {
      return !isClosed(await client.workflow.getHandle(id).describe());
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  };
  await terminate(workflowId);
  let open = [...new Set((state.tree ?? []).map((node) => node.workflowId))];
  const deadline = Date.now() + TREE_CLOSE_TIMEOUT_MS;
  while (open.length > 0 && Date.now() < deadline) {
    const still: string[] = [];
    for (const id of open) if (await isOpen(id)) still.push(id);
    open = still;
    if (open.length > 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const id of open) await terminate(id);
}

export interface ForkRequest {
  checkpoint: number;
  agent?: string | undefined;
  title?: string | undefined;
}

const MAX_TITLE = 200;

/** `<origin title> (fork of <id>@<seq>)`, the origin's title shortened to fit. */
export function forkTitle(originTitle: string, sessionId: string, seq: number): string {
  const suffix = ` (fork of ${sessionId}@${seq})`;
  const room = MAX_TITLE - suffix.length;
  const title = originTitle.length > room ? `${originTitle.slice(0, room - 1)}…` : originTitle;
  return `${title}${suffix}`;
}

export async function forkSession(
  sessions: SessionService,
  originId: string,
  request: ForkRequest,
): Promise<SessionDetail> {
  const { info, state } = await sessions.requireState(originId);
  const checkpoint = findCheckpoint(originId, state, request.checkpoint, 'body.checkpoint');
  if (!checkpoint.commitSha) {
    throw conflict(
      `Checkpoint ${checkpoint.seq} of session "${originId}" has no commit to start from ` +
        '(its step never committed); fork from a checkpoint with a commitSha.',
    );
  }
  const memo = info.memo as StoredMemo | undefined;
  if (!memo?.goal) {
    throw conflict(`Session "${originId}" has no recorded input to fork.`);
  }
  return sessions.startRun(newSessionId(), {
    title: request.title ?? forkTitle(memo.title, originId, checkpoint.seq),
    goal: memo.goal,
    repository: memo.repository,
    ...(request.agent ? { agent: request.agent } : agentChoice(memo)),
    ...runSettings({
      ...memo,
      forkedFrom: {
        sessionId: originId,
        checkpoint: checkpoint.seq,
        commitSha: checkpoint.commitSha,
      },
    }),
  });
}
