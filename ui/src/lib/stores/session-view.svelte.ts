import type { Problem, SessionDetail, SessionStatus } from '$lib/types/api';
import { ApiError, problemOf } from '$lib/services/problem';
import type { SessionEvent } from '$lib/services/ws';
import { isTerminal } from '$lib/models/session-status';
import { api, live } from './gateway.svelte';
import { LogFeed } from './log-feed.svelte';
import { CheckpointDiff } from './checkpoint-diff.svelte';

export type SessionAction = 'stop' | 'force-stop' | 'retry';

const LOG_PAGE = 1000;
const MAX_BACKFILL_PAGES = 50;

/**
 * One session as its page shows it: the detail from REST, the status kept live from the
 * WebSocket, and the log (history from REST, then live from the WebSocket after the last id).
 */
export class SessionView {
  readonly id: string;
  session = $state<SessionDetail | null>(null);
  /** The current status: from the WebSocket when it has spoken, else from the detail. */
  status = $state<SessionStatus | null>(null);
  statusDetail = $state<string | null>(null);
  loading = $state(true);
  error = $state<Problem | null>(null);
  logsLoading = $state(false);
  logsError = $state<Problem | null>(null);
  pending = $state<SessionAction | null>(null);
  actionError = $state<Problem | null>(null);
  /** What the live connection said went wrong with this session's subscription, if anything. */
  liveError = $state<string | null>(null);
  readonly logs = new LogFeed();
  /** The checkpoint opened on the timeline and its diff. */
  readonly diff: CheckpointDiff;
  #heardLive = false;
  #stopped = false;
  #reloading = false;
  #reloadAgain = false;
  #controller = new AbortController();

  constructor(id: string) {
    this.id = id;
    this.diff = new CheckpointDiff(id);
  }

  get notFound(): boolean {
    return this.error?.status === 404;
  }

  /** Loads everything and follows the session live; returns the function that stops it. */
  start(options: { pollMs?: number } = {}): () => void {
    const pollMs = options.pollMs ?? 2000;
    let unsubscribe: (() => void) | null = null;
    void this.reload().then(async () => {
      if (this.#stopped || this.notFound) return;
      const after = await this.#backfillLogs();
      if (this.#stopped) return;
      unsubscribe = live.subscribe(this.id, (event) => this.#onEvent(event), after);
    });
    // Checkpoints are not pushed over the WebSocket: read the detail again while it is open.
    const timer = setInterval(() => {
      if (typeof document !== 'undefined' && document.hidden) return;
      // A terminal status is pushed just before the workflow closes: keep reading until the
      // detail shows it closed (closedAt set), then stop.
      if (this.status && isTerminal(this.status) && this.session?.closedAt) return;
      void this.reload();
    }, pollMs);
    return () => {
      this.#stopped = true;
      this.#controller.abort();
      clearInterval(timer);
      unsubscribe?.();
    };
  }

  /** Reads the detail again; a call during a read makes that read run once more after. */
  async reload(): Promise<void> {
    if (this.#reloading) {
      this.#reloadAgain = true;
      return;
    }
    this.#reloading = true;
    try {
      do {
        this.#reloadAgain = false;
        try {
          const session = await api.getSession(this.id, this.#controller.signal);
          this.#apply(session);
          this.error = null;
        } catch (error) {
          if (!this.#controller.signal.aborted) this.error = problemOf(error);
        }
      } while (this.#reloadAgain && !this.#stopped);
    } finally {
      this.#reloading = false;
      this.loading = false;
    }
  }

  async stop(force = false): Promise<void> {
    await this.#act(force ? 'force-stop' : 'stop', async () => {
      const result = await api.stopSession(this.id, { force });
      if (result?.status) this.status = result.status;
      await this.reload();
    });
  }

  /** Retries; resolves to the session that now runs (a new id when the gateway starts one). */
  async retry(): Promise<SessionDetail | null> {
    let next: SessionDetail | null = null;
    await this.#act('retry', async () => {
      next = await api.retrySession(this.id);
      if (next.id === this.id) {
        this.status = next.status;
        this.statusDetail = null;
        this.#apply(next, true);
      }
    });
    return next;
  }

  async #act(action: SessionAction, run: () => Promise<void>): Promise<void> {
    if (this.pending) return;
    this.pending = action;
    this.actionError = null;
    try {
      await run();
    } catch (error) {
      this.actionError = problemOf(error);
      // A 409 means our idea of the status is stale: read it again.
      if (error instanceof ApiError && error.status === 409) await this.reload();
    } finally {
      this.pending = null;
    }
  }

  #apply(session: SessionDetail, authoritative = false): void {
    this.session = session;
    // The WebSocket is fresher than visibility, except that a finished session is final.
    if (authoritative || !this.#heardLive || isTerminal(session.status) || this.status === null) {
      this.status = session.status;
    }
  }

  /** Reads the log so far over REST; returns the last id, to subscribe after it. */
  async #backfillLogs(): Promise<string | undefined> {
    this.logsLoading = true;
    let after: string | undefined = this.logs.lastId;
    try {
      for (let page = 0; page < MAX_BACKFILL_PAGES; page += 1) {
        const result = await api.getLogs(
          this.id,
          { after: after ?? null, limit: LOG_PAGE },
          this.#controller.signal,
        );
        this.logs.append(result.items);
        const last = result.items[result.items.length - 1]?.id;
        if (last !== undefined) after = last;
        if (result.nextAfter === null || result.items.length === 0) break;
        after = result.nextAfter;
      }
      this.logsError = null;
    } catch (error) {
      if (!this.#controller.signal.aborted) this.logsError = problemOf(error);
    } finally {
      this.logsLoading = false;
    }
    return after;
  }

  #onEvent(event: SessionEvent): void {
    switch (event.type) {
      case 'log':
        this.logs.append([event.line]);
        return;
      case 'subscribed':
        this.#heardLive = true;
        this.liveError = null;
        this.status = event.status;
        return;
      case 'error':
        this.liveError = event.message || event.code;
        return;
      case 'status':
        this.#heardLive = true;
        this.status = event.status;
        this.statusDetail = event.detail ?? null;
        void this.reload();
        return;
    }
  }
}
