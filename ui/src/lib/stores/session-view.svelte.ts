import type {
  ApprovalDecision,
  Budget,
  PendingApproval,
  Problem,
  RetriedSession,
  SessionDetail,
  SessionStatus,
} from '$lib/types/api';
import { ApiError, problemOf } from '$lib/services/problem';
import type { SessionEvent } from '$lib/services/ws';
import { chainSignature } from '$lib/models/checkpoint-chain';
import { isTerminal } from '$lib/models/session-status';
import { api, live } from './gateway.svelte';
import { LogFeed } from './log-feed.svelte';
import { CheckpointDiff } from './checkpoint-diff.svelte';
import { CheckpointChain } from './checkpoint-chain.svelte';
import { TaskTreeView } from './task-tree.svelte';

export type SessionAction =
  | 'stop'
  | 'force-stop'
  | 'retry'
  | 'pause'
  | 'resume'
  | 'approve'
  | 'reject'
  | 'budget'
  | 'rewind'
  | 'fork';

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
  /** The gateway's check of the checkpoint chain, read again when the chain changes. */
  readonly chain: CheckpointChain;
  /** The task tree of a planned session, read again with the detail while it is open. */
  readonly tree: TaskTreeView;
  /** Where the last rewind reset the session to, to say so until the next action. */
  rewound = $state<RetriedSession['resetTo'] | null>(null);
  /** Counts live status messages, to tell whether one arrived while a request was out. */
  #liveStatuses = 0;
  /** Counts new runs started from here (retry, rewind): a read from before one is stale. */
  #runs = 0;
  #stopped = false;
  #reloading = false;
  #reloadAgain = false;
  #controller = new AbortController();

  constructor(id: string) {
    this.id = id;
    this.diff = new CheckpointDiff(id);
    this.chain = new CheckpointChain(id);
    this.tree = new TaskTreeView(id);
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
      this.chain.stop();
      this.tree.stop();
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
          const heard = this.#liveStatuses;
          const runs = this.#runs;
          const session = await api.getSession(this.id, this.#controller.signal);
          if (runs !== this.#runs) {
            // A retry or rewind replaced the run meanwhile: read the new one instead.
            this.#reloadAgain = true;
            continue;
          }
          this.#apply(session, heard === this.#liveStatuses);
          this.error = null;
          this.#refreshDependents(session);
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
      const heard = this.#liveStatuses;
      next = await api.retrySession(this.id);
      if (next.id === this.id) {
        this.statusDetail = null;
        this.#apply(next, heard === this.#liveStatuses, true);
      }
    });
    return next;
  }

  /** Rewinds to one of the session's own checkpoints: a new run reruns what followed it. */
  async rewind(seq: number): Promise<boolean> {
    return this.#act('rewind', async () => {
      const heard = this.#liveStatuses;
      const next = await api.retrySession(this.id, { checkpoint: seq });
      this.rewound = next.resetTo ?? { checkpoint: seq, eventId: 0 };
      this.statusDetail = null;
      this.#apply(next, heard === this.#liveStatuses, true);
      this.#refreshDependents(next);
    });
  }

  /** Forks a new session from a checkpoint's commit; resolves to it (null if refused). */
  async fork(seq: number, options: { agent?: string; title?: string } = {}) {
    let fork: SessionDetail | null = null;
    await this.#act('fork', async () => {
      fork = await api.forkSession(this.id, { checkpoint: seq, ...clean(options) });
    });
    return fork as SessionDetail | null;
  }

  async pause(): Promise<boolean> {
    return this.#act('pause', async () => {
      await api.pauseSession(this.id);
      await this.reload();
    });
  }

  async resume(): Promise<boolean> {
    return this.#act('resume', async () => {
      await api.resumeSession(this.id);
      await this.reload();
    });
  }

  /** Approves or rejects a waiting gate, with the operator's comment. */
  async decide(
    decision: ApprovalDecision['decision'],
    gate: Pick<PendingApproval, 'gate' | 'taskPath'>,
    comment = '',
  ): Promise<boolean> {
    const action = decision === 'approved' ? 'approve' : 'reject';
    return this.#act(action, async () => {
      const request = {
        gate: gate.gate,
        taskPath: gate.taskPath,
        ...(comment.trim() ? { comment: comment.trim() } : {}),
      };
      if (decision === 'approved') await api.approve(this.id, request);
      else await api.reject(this.id, request);
      await this.reload();
    });
  }

  /** Replaces the session's limits (the session goes on if they allow it). */
  async setBudget(budget: Budget): Promise<boolean> {
    return this.#act('budget', async () => {
      await api.setBudget(this.id, budget);
      await this.reload();
    });
  }

  /** Runs one action at a time; resolves whether it went through. */
  async #act(action: SessionAction, run: () => Promise<void>): Promise<boolean> {
    if (this.pending) return false;
    this.pending = action;
    this.actionError = null;
    if (action !== 'rewind') this.rewound = null;
    try {
      await run();
      return true;
    } catch (error) {
      this.actionError = problemOf(error);
      // A 409 means our idea of the status is stale: read it again.
      if (error instanceof ApiError && error.status === 409) await this.reload();
      return false;
    } finally {
      this.pending = null;
    }
  }

  /**
   * The tree follows the detail while the session has a plan (or showed nodes); the chain's
   * verification only when the chain changed (a new run, a new checkpoint).
   */
  #refreshDependents(session: SessionDetail): void {
    if (this.#stopped) return;
    if (session.plan !== null || (this.tree.tree?.nodes.length ?? 0) > 0) {
      void this.tree.refresh({ ifIdle: true });
    }
    void this.chain.refreshIf(chainSignature(session));
  }

  /**
   * Takes a detail read. Its status counts unless a live status message arrived while it was
   * out (the message may be newer than what the read saw); a read that started after the last
   * message is at least as new, since the workflow records a status before it publishes it.
   * A new run (retry, rewind) starts over whatever the old one said.
   */
  #apply(session: SessionDetail, fresh: boolean, newRun = false): void {
    const run = this.session?.runId;
    if (newRun) this.#runs += 1;
    this.session = session;
    if (fresh || isTerminal(session.status) || this.status === null) {
      this.status = session.status;
    } else if (newRun && run !== session.runId && this.status && isTerminal(this.status)) {
      // The old run's final status must not linger over the new run.
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
        this.#liveStatuses += 1;
        this.liveError = null;
        this.status = event.status;
        return;
      case 'error':
        this.liveError = event.message || event.code;
        return;
      case 'status':
        this.#liveStatuses += 1;
        this.status = event.status;
        this.statusDetail = event.detail ?? null;
        void this.reload();
        return;
    }
  }
}

/** Leaves out the options left empty. */
function clean(options: { agent?: string; title?: string }): { agent?: string; title?: string } {
  const out: { agent?: string; title?: string } = {};
  if (options.agent?.trim()) out.agent = options.agent.trim();
  if (options.title?.trim()) out.title = options.title.trim();
  return out;
}
