import type {
  Agent,
  AgentConfig,
  AgentList,
  ApprovalDecision,
  AppConfig,
  Budget,
  CheckpointDiffAnswer,
  CheckpointList,
  DecisionRequest,
  ForkRequest,
  LogPage,
  NewSession,
  RetriedSession,
  SessionDetail,
  SessionPage,
  SessionStatus,
  SessionTree,
  StopResult,
} from '$lib/types/api';
import { toAgent, toAgents } from '$lib/models/agent';
import { ApiError, networkProblem, readProblem } from './problem';

export interface ApiClientOptions {
  /** Prefix for every path; '' for the same origin as the console. */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** The API token to send as `Authorization: Bearer …`, if any. */
  getToken?: () => string | null;
  /** Called whenever the gateway answers 401, so the console can ask for a token. */
  onUnauthorized?: (error: ApiError) => void;
}

/** The session list's filters; empty values mean "any". */
export interface SessionFilters {
  status?: SessionStatus | null;
  agent?: string | null;
  repository?: string | null;
  /** Text search: a prefix of the id, the agent or the repository. */
  q?: string | null;
  /** ISO 8601 instants. */
  startedAfter?: string | null;
  closedAfter?: string | null;
}

export interface ListSessionsQuery extends SessionFilters {
  cursor?: string | null;
  limit?: number;
}

export interface LogsQuery {
  after?: string | null;
  limit?: number;
}

const sessionPath = (id: string) => `/api/sessions/${encodeURIComponent(id)}`;

type Query = Record<string, string | number | boolean | null | undefined>;

export function buildPath(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

/** A typed client for the gateway's REST API. Every failure is thrown as an ApiError. */
export class ApiClient {
  readonly #baseUrl: string;
  readonly #fetch: typeof fetch;
  readonly #getToken: () => string | null;
  readonly #onUnauthorized: (error: ApiError) => void;

  constructor(options: ApiClientOptions = {}) {
    this.#baseUrl = options.baseUrl ?? '';
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#getToken = options.getToken ?? (() => null);
    this.#onUnauthorized = options.onUnauthorized ?? (() => {});
  }

  async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = this.#getToken();
    if (token) headers.authorization = `Bearer ${token}`;
    const init: RequestInit = { method, headers };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    if (signal) init.signal = signal;

    let response: Response;
    try {
      response = await this.#fetch(`${this.#baseUrl}${path}`, init);
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ApiError(networkProblem(error));
    }
    if (!response.ok) {
      const error = new ApiError(await readProblem(response));
      if (response.status === 401) this.#onUnauthorized(error);
      throw error;
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError({
        type: 'about:blank',
        title: 'Unreadable response',
        status: response.status,
        detail: `Expected JSON from ${method} ${path}, got: ${text.slice(0, 120)}`,
      });
    }
  }

  getConfig(signal?: AbortSignal): Promise<AppConfig> {
    return this.request('GET', '/api/config', undefined, signal);
  }

  async listAgents(signal?: AbortSignal): Promise<AgentList> {
    return { items: toAgents(await this.request('GET', '/api/agents', undefined, signal)) };
  }

  getAgent(name: string, signal?: AbortSignal): Promise<Agent> {
    return this.#agent('GET', `/api/agents/${encodeURIComponent(name)}`, undefined, signal);
  }

  createAgent(config: AgentConfig): Promise<Agent> {
    return this.#agent('POST', '/api/agents', config);
  }

  /** Replaces an agent's configuration (the body names the agent; renaming is not supported). */
  updateAgent(name: string, config: AgentConfig): Promise<Agent> {
    return this.#agent('PUT', `/api/agents/${encodeURIComponent(name)}`, config);
  }

  deleteAgent(name: string): Promise<void> {
    return this.request('DELETE', `/api/agents/${encodeURIComponent(name)}`);
  }

  async #agent(method: string, path: string, body?: unknown, signal?: AbortSignal) {
    const value = await this.request<unknown>(method, path, body, signal);
    const agent = toAgent(value);
    if (!agent) {
      throw new ApiError({
        type: 'about:blank',
        title: 'Unreadable response',
        status: 200,
        detail: `Expected an agent from ${method} ${path}`,
      });
    }
    return agent;
  }

  async listSessions(query: ListSessionsQuery = {}, signal?: AbortSignal): Promise<SessionPage> {
    const path = buildPath('/api/sessions', {
      status: query.status,
      agent: query.agent,
      repository: query.repository,
      q: query.q?.trim(),
      startedAfter: query.startedAfter,
      closedAfter: query.closedAfter,
      cursor: query.cursor,
      limit: query.limit,
    });
    const page = await this.request<SessionPage>('GET', path, undefined, signal);
    // A gateway that does not count still pages; the console then shows no total.
    return { ...page, total: typeof page.total === 'number' ? page.total : null };
  }

  createSession(input: NewSession): Promise<SessionDetail> {
    return this.request('POST', '/api/sessions', input);
  }

  getSession(id: string, signal?: AbortSignal): Promise<SessionDetail> {
    return this.request('GET', `/api/sessions/${encodeURIComponent(id)}`, undefined, signal);
  }

  stopSession(id: string, options: { force?: boolean } = {}): Promise<StopResult> {
    const path = buildPath(`/api/sessions/${encodeURIComponent(id)}/stop`, {
      force: options.force ? 'true' : undefined,
    });
    return this.request('POST', path);
  }

  /**
   * Runs a failed or cancelled session again; with a checkpoint, rewinds the session (any
   * status) to one of its own checkpoints and reruns from there.
   */
  retrySession(id: string, options: { checkpoint?: number } = {}): Promise<RetriedSession> {
    const body = options.checkpoint === undefined ? undefined : { checkpoint: options.checkpoint };
    return this.request('POST', `${sessionPath(id)}/retry`, body);
  }

  /** The task tree, nested by path, each node with its own and its subtree's usage. */
  getTree(id: string, signal?: AbortSignal): Promise<SessionTree> {
    return this.request('GET', `${sessionPath(id)}/tree`, undefined, signal);
  }

  /** The checkpoints and the gateway's check of their hash chain against workflow history. */
  getCheckpoints(id: string, signal?: AbortSignal): Promise<CheckpointList> {
    return this.request('GET', `${sessionPath(id)}/checkpoints`, undefined, signal);
  }

  /** What a checkpoint's commit changed (503 where the gateway cannot read the workspace). */
  getCheckpointDiff(id: string, seq: number, signal?: AbortSignal): Promise<CheckpointDiffAnswer> {
    const path = buildPath(`${sessionPath(id)}/diff`, { checkpoint: seq });
    return this.request('GET', path, undefined, signal);
  }

  approve(id: string, request: DecisionRequest = {}): Promise<ApprovalDecision> {
    return this.request('POST', `${sessionPath(id)}/approve`, request);
  }

  reject(id: string, request: DecisionRequest = {}): Promise<ApprovalDecision> {
    return this.request('POST', `${sessionPath(id)}/reject`, request);
  }

  pauseSession(id: string): Promise<StopResult> {
    return this.request('POST', `${sessionPath(id)}/pause`);
  }

  resumeSession(id: string): Promise<StopResult> {
    return this.request('POST', `${sessionPath(id)}/resume`);
  }

  /** Replaces the session's limits; answers the budget in force. */
  setBudget(id: string, budget: Budget): Promise<Budget> {
    return this.request('PUT', `${sessionPath(id)}/budget`, budget);
  }

  /** A new session from a checkpoint's commit (same goal, plan, budget; another agent if given). */
  forkSession(id: string, request: ForkRequest): Promise<SessionDetail> {
    return this.request('POST', `${sessionPath(id)}/fork`, request);
  }

  getLogs(id: string, query: LogsQuery = {}, signal?: AbortSignal): Promise<LogPage> {
    const path = buildPath(`/api/sessions/${encodeURIComponent(id)}/logs`, {
      after: query.after,
      limit: query.limit,
    });
    return this.request('GET', path, undefined, signal);
  }
}
