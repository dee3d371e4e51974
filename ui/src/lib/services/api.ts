import type {
  AgentList,
  AppConfig,
  LogPage,
  NewSession,
  SessionDetail,
  SessionPage,
  SessionStatus,
  StopResult,
} from '$lib/types/api';
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

export interface ListSessionsQuery {
  status?: SessionStatus | null;
  cursor?: string | null;
  limit?: number;
}

export interface LogsQuery {
  after?: string | null;
  limit?: number;
}

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

  listAgents(signal?: AbortSignal): Promise<AgentList> {
    return this.request('GET', '/api/agents', undefined, signal);
  }

  listSessions(query: ListSessionsQuery = {}, signal?: AbortSignal): Promise<SessionPage> {
    const path = buildPath('/api/sessions', {
      status: query.status,
      cursor: query.cursor,
      limit: query.limit,
    });
    return this.request('GET', path, undefined, signal);
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

  retrySession(id: string): Promise<SessionDetail> {
    return this.request('POST', `/api/sessions/${encodeURIComponent(id)}/retry`);
  }

  getLogs(id: string, query: LogsQuery = {}, signal?: AbortSignal): Promise<LogPage> {
    const path = buildPath(`/api/sessions/${encodeURIComponent(id)}/logs`, {
      after: query.after,
      limit: query.limit,
    });
    return this.request('GET', path, undefined, signal);
  }
}
