/**
 * Sessions as the gateway sees them: Temporal workflows of type `session`, read through
 * visibility (lists), describe (one session) and the `state` query (checkpoints).
 */
import { status as grpcStatus } from '@grpc/grpc-js';
import {
  isGrpcServiceError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionInfo,
} from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers.js';
import {
  AgentNameKey,
  ORCHESTRATOR_TASK_QUEUE,
  RepositoryKey,
  SessionStatusKey,
  SessionTitleKey,
  TokensUsedKey,
  sessionWorkflowId,
  stateQuery,
  type SessionInput,
  type SessionOptions,
  type SessionState,
  type SessionStatus,
} from '@orchestrator/workflows/client';
import { badRequest, conflict, notFound, unavailable } from '../problem.js';
import type { CreateSessionBody, SessionDetail, SessionSummary } from '../schemas.js';
import { newSessionId, sessionIdFromWorkflowId } from './ids.js';
import { agentChoice, runSettings, type StoredMemo } from './memo.js';
import { createCountCache, type CountCache } from './count-cache.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { filterKey, visibilityQuery, type SessionFilters } from './list-query.js';
import { deriveStatus, hasEnded, isClosed } from './status.js';

export interface SessionServiceOptions {
  client: Client;
  namespace: string;
  /** Base URL of Temporal Web, for links; null when there is none. */
  temporalWebUrl: string | null;
  sessionOptions: SessionOptions;
  /** How long a `state` query may take before the detail is served without checkpoints. */
  queryTimeoutMs?: number;
  /** How long a list's `total` is reused for the same filter (count-cache.ts); 0: count each time. */
  countCacheMs?: number;
}

/** See count-cache.ts: long enough for a console's polling, short beside a session's life. */
export const DEFAULT_COUNT_CACHE_MS = 2000;

export type Info = Omit<WorkflowExecutionInfo, 'raw'>;

const RETRYABLE: SessionStatus[] = ['failed', 'cancelled'];
/** How long a retry waits for a run that recorded failed/cancelled to close (it is finishing). */
const SETTLE_TIMEOUT_MS = 10_000;

export class SessionService {
  private readonly counts: CountCache;

  constructor(private readonly options: SessionServiceOptions) {
    this.counts = createCountCache(
      async (query) => (await options.client.workflow.count(query)).count,
      options.countCacheMs ?? DEFAULT_COUNT_CACHE_MS,
    );
  }

  /** After a change this gateway made (start, stop, retry, rewind): count lists anew. */
  forgetCounts(): void {
    this.counts.clear();
  }

  get client(): Client {
    return this.options.client;
  }

  get namespace(): string {
    return this.options.namespace;
  }

  temporalUrl(workflowId: string, runId?: string): string | null {
    const base = this.options.temporalWebUrl;
    if (!base) return null;
    const ns = encodeURIComponent(this.options.namespace);
    const path = `${base}/namespaces/${ns}/workflows/${encodeURIComponent(workflowId)}`;
    return runId ? `${path}/${runId}/history` : path;
  }

  async start(body: CreateSessionBody): Promise<SessionDetail> {
    const sessionId = newSessionId();
    const { title, goal, repository } = body;
    const settings = runSettings(body);
    if (body.agent || !body.capabilities) {
      return this.startRun(sessionId, {
        title,
        goal,
        repository,
        agent: body.agent ?? '',
        ...settings,
      });
    }
    return this.startRun(sessionId, {
      title,
      goal,
      repository,
      agent: '',
      route: {
        capabilities: body.capabilities,
        ...(body.minTier ? { minTier: body.minTier } : {}),
      },
      ...settings,
    });
  }

  /** Starts a run of `session-<sessionId>`; the memo is the input too (plus server options). */
  async startRun(sessionId: string, memo: StoredMemo): Promise<SessionDetail> {
    const workflowId = sessionWorkflowId(sessionId);
    const input: SessionInput = { sessionId, ...memo, options: this.options.sessionOptions };
    const handle = await this.client.workflow.start('session', {
      taskQueue: ORCHESTRATOR_TASK_QUEUE,
      workflowId,
      args: [input],
      memo: { ...memo },
      typedSearchAttributes: [
        { key: SessionStatusKey, value: 'pending' },
        // A routed session gets its AgentName once routing chose (the workflow upserts it).
        ...(memo.agent ? [{ key: AgentNameKey, value: memo.agent }] : []),
        { key: RepositoryKey, value: memo.repository },
        // For the list's text search; the title stays in the memo for display.
        { key: SessionTitleKey, value: memo.title },
      ],
    });
    this.forgetCounts();
    const now = new Date().toISOString();
    const { title, goal, repository, agent } = memo;
    return {
      id: sessionId,
      title,
      goal,
      repository,
      agent,
      status: 'pending',
      startedAt: now,
      closedAt: null,
      workflowId,
      runId: handle.firstExecutionRunId,
      temporalUrl: this.temporalUrl(workflowId, handle.firstExecutionRunId),
      tokensUsed: 0,
      planned: memo.plan !== undefined,
      // Nothing to ask yet: a run that just started has no checkpoints, gates or outcome.
      stateAvailable: true,
      checkpoints: [],
      error: null,
      ...this.controlFields(memo, null, 0),
    };
  }

  /** The detail's tree-wide fields: from the state query, else what the memo knows. */
  private controlFields(memo: Partial<StoredMemo>, state: SessionState | null, tokens: number) {
    return {
      usage: state?.usage ?? { tokens: state?.tokensUsed ?? tokens, costUsd: 0 },
      budget: state?.budget ?? memo.budget ?? {},
      pending: state?.pending ?? [],
      decisions: state?.decisions ?? [],
      paused: state?.paused ?? false,
      // States from before `queued` existed have none.
      steps: { running: 0, waiting: 0, queued: [], ...state?.steps },
      runs: state?.runs ?? 1,
      outcome: state?.outcome ?? null,
      plan: memo.plan ?? null,
      approvals: memo.approvals ?? null,
      forkedFrom: state?.forkedFrom ?? memo.forkedFrom ?? null,
    };
  }

  async list(
    params: SessionFilters & { cursor?: string | undefined; limit: number },
  ): Promise<{ items: SessionSummary[]; nextCursor: string | null; total: number }> {
    const query = visibilityQuery(params);
    const filter = filterKey(params);
    const badCursor = () =>
      badRequest('The cursor is not valid for this list (or has expired).', [
        {
          path: 'query.cursor',
          message: 'Use nextCursor from a previous page with the same filter',
        },
      ]);
    let nextPageToken: Uint8Array | undefined;
    if (params.cursor) {
      nextPageToken = decodeCursor(params.cursor, filter) ?? undefined;
      if (!nextPageToken) throw badCursor();
    }
    let response;
    let total: number;
    try {
      // The count is of runs: a retried session's earlier runs match a status filter too.
      [response, total] = await Promise.all([
        this.client.workflowService.listWorkflowExecutions({
          namespace: this.options.namespace,
          query,
          pageSize: params.limit,
          ...(nextPageToken ? { nextPageToken } : {}),
        }),
        this.counts.count(query),
      ]);
    } catch (error) {
      // Visibility answers a token it cannot decode with INVALID_ARGUMENT or UNKNOWN.
      const rejected =
        isGrpcServiceError(error) &&
        (error.code === grpcStatus.INVALID_ARGUMENT || error.code === grpcStatus.UNKNOWN);
      if (nextPageToken && rejected) throw badCursor();
      throw error;
    }
    const infos = await Promise.all(
      (response.executions ?? []).map((raw) =>
        executionInfoFromRaw(
          raw,
          this.client.options.loadedDataConverter,
          raw,
          this.options.namespace,
        ),
      ),
    );
    const latest = await this.keepLatestRuns(infos as Info[]);
    const token = response.nextPageToken;
    return {
      items: latest.map((info) => this.summary(info)),
      nextCursor: token && token.length > 0 ? encodeCursor(filter, token) : null,
      total,
    };
  }

  /**
   * A retried session has several runs under one workflow id, and visibility lists each.
   * Only failed/cancelled runs can have been superseded, so only those are checked against the
   * latest run (newest first within a page also drops the older duplicates).
   */
  private async keepLatestRuns(infos: Info[]): Promise<Info[]> {
    const seen = new Set<string>();
    const unique = infos.filter((info) => {
      if (seen.has(info.workflowId)) return false;
      seen.add(info.workflowId);
      return true;
    });
    const checks = await Promise.all(
      unique.map(async (info) => {
        if (!RETRYABLE.includes(deriveStatus(info))) return true;
        try {
          const current = await this.client.workflow.getHandle(info.workflowId).describe();
          return current.runId === info.runId;
        } catch {
          return true;
        }
      }),
    );
    return unique.filter((_, index) => checks[index]);
  }

  private summary(info: Info): SessionSummary {
    const memo = (info.memo ?? {}) as Partial<StoredMemo>;
    return {
      id: sessionIdFromWorkflowId(info.workflowId),
      title: memo.title ?? info.workflowId,
      agent: memo.agent ?? String(info.typedSearchAttributes.get(AgentNameKey) ?? ''),
      repository: memo.repository ?? String(info.typedSearchAttributes.get(RepositoryKey) ?? ''),
      status: deriveStatus(info),
      startedAt: info.startTime.toISOString(),
      closedAt: info.closeTime ? info.closeTime.toISOString() : null,
      workflowId: info.workflowId,
      runId: info.runId,
      temporalUrl: this.temporalUrl(info.workflowId, info.runId),
      tokensUsed: Number(info.typedSearchAttributes.get(TokensUsedKey) ?? 0),
      // The memo's plan settings are what makes the workflow plan (lists carry memos).
      planned: memo.plan !== undefined && memo.plan !== null,
    };
  }

  /** The latest run of a session, or a 404 problem. */
  async describe(sessionId: string): Promise<Info> {
    try {
      const info = await this.client.workflow.getHandle(sessionWorkflowId(sessionId)).describe();
      if (info.type !== 'session') throw notFound(`No session with id "${sessionId}".`);
      return info;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) {
        throw notFound(`No session with id "${sessionId}".`);
      }
      throw error;
    }
  }

  async get(sessionId: string): Promise<SessionDetail> {
    return this.detail(await this.describe(sessionId));
  }

  /** The detail of one run (the latest, as `describe` answered it). */
  async detail(info: Info): Promise<SessionDetail> {
    const memo = (info.memo ?? {}) as Partial<StoredMemo>;
    const state = await this.queryState(info);
    const summary = this.summary(info);
    return {
      ...summary,
      // The query is answered after the workflow task in flight, describe before it: an open
      // run's own state is the newer (a gate opened with its status still on its way to
      // SessionStatus must not read as running with a pending gate), and its status and tokens
      // must come from the same moment (a run that says completed has counted its tokens).
      ...(state && !isClosed(info)
        ? { status: state.status, tokensUsed: state.tokensUsed ?? summary.tokensUsed }
        : {}),
      goal: memo.goal ?? '',
      stateAvailable: state !== null,
      // Checkpoints recorded before usage existed have none.
      checkpoints: (state?.checkpoints ?? []).map((checkpoint) => ({
        ...checkpoint,
        usage: checkpoint.usage ?? null,
      })),
      error: state?.error ?? null,
      ...this.controlFields(memo, state, summary.tokensUsed),
    };
  }

  /** The `state` query, bounded in time: a detail page must not hang when no worker runs. */
  async queryState(info: Info): Promise<SessionState | null> {
    const timeout = this.options.queryTimeoutMs ?? 3000;
    try {
      return await this.client.withDeadline(Date.now() + timeout, () =>
        this.client.workflow.getHandle(info.workflowId, info.runId).query(stateQuery),
      );
    } catch {
      return null;
    }
  }

  /**
   * The state of a session's latest run, for answers that cannot do without it (the tree,
   * checkpoints, time travel): a 503 when no worker answers the query.
   */
  async requireState(sessionId: string): Promise<{ info: Info; state: SessionState }> {
    const info = await this.describe(sessionId);
    const state = await this.queryState(info);
    if (!state) {
      throw unavailable(
        `Session "${sessionId}" did not answer its state query in time: no worker is polling ` +
          'the orchestrator task queue, or it is overloaded. Try again once a worker runs.',
      );
    }
    return { info, state };
  }

  async stop(sessionId: string, force: boolean): Promise<{ id: string; status: SessionStatus }> {
    const info = await this.describe(sessionId);
    // Force stop stays open to a run that recorded its end but never closed (its last activity
    // found no worker), so nothing is left running.
    if (force ? isClosed(info) : hasEnded(info)) {
      throw conflict(
        `Session "${sessionId}" is already ${deriveStatus(info)}; only pending or running sessions can be stopped.`,
      );
    }
    // The current run: a session may continue as new between describe and now.
    const handle = this.client.workflow.getHandle(info.workflowId);
    try {
      if (force) await handle.terminate('Force stop requested through the gateway');
      else await handle.cancel();
    } catch (error) {
      // It closed between describe and now (a fuzz run caught a 500 here): say what it is.
      if (error instanceof WorkflowNotFoundError) await this.refuseClosed(sessionId);
      throw error;
    }
    this.forgetCounts();
    return { id: sessionId, status: force ? 'cancelled' : deriveStatus(info) };
  }

  /**
   * The description once a session that recorded a terminal status has also closed. A session
   * upserts `failed`/`cancelled` and publishes it before its run ends, so an operator (or a
   * client that watched the status) may ask to retry in that short window: wait it out, for a
   * few seconds at most, rather than refuse what they can see is retryable.
   */
  private async settledDescription(sessionId: string): Promise<Info> {
    let info = await this.describe(sessionId);
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    while (!isClosed(info) && RETRYABLE.includes(deriveStatus(info)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      info = await this.describe(sessionId);
    }
    return info;
  }

  /** 409 with the session's status now that it has closed; 404 if it is gone altogether. */
  private async refuseClosed(sessionId: string): Promise<never> {
    const now = await this.describe(sessionId);
    throw conflict(
      `Session "${sessionId}" is already ${deriveStatus(now)}; only pending or running sessions can be stopped.`,
    );
  }

  async retry(sessionId: string): Promise<SessionDetail> {
    const info = await this.settledDescription(sessionId);
    const status = deriveStatus(info);
    if (!isClosed(info) || !RETRYABLE.includes(status)) {
      throw conflict(
        `Session "${sessionId}" is ${status}; only failed or cancelled sessions can be retried.`,
      );
    }
    const memo = info.memo as StoredMemo | undefined;
    if (!memo?.goal) {
      throw conflict(`Session "${sessionId}" has no recorded input to run again.`);
    }
    const { title, goal, repository } = memo;
    return this.startRun(sessionId, {
      title,
      goal,
      repository,
      ...agentChoice(memo),
      ...runSettings(memo),
    });
  }
}
