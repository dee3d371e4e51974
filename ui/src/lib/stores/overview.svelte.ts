import type { Problem, SessionSummary } from '$lib/types/api';
import type { ListSessionsQuery } from '$lib/services/api';
import { problemOf } from '$lib/services/problem';
import { addTokens, startOfDay, successRate, type TokensToday } from '$lib/models/overview';
import { api } from './gateway.svelte';
import { AgentRegistry } from './agent-registry.svelte';
import { FailureReasons } from './failure-reasons';
import { LatestRequest, pollLatest } from './latest-request';

export interface OverviewCounts {
  running: number;
  pending: number;
  awaitingApproval: number;
  /** Closed since local midnight. */
  failedToday: number;
  completedToday: number;
}

export interface Failure {
  session: SessionSummary;
  /** The session's error; null while unknown (no worker answered the query yet). */
  reason: string | null;
}

const RECENT_FAILURES = 8;
const RUNNING_SHOWN = 10;
const TOKEN_PAGE = 100;
/** Pages of today's sessions read to sum their tokens; past it the sum is a lower bound. */
const MAX_TOKEN_PAGES = 5;

/**
 * The overview: counts from visibility (the list's `total` for each filter), the day's success
 * rate and tokens, the latest failures with their reasons, and the agents with their load.
 * Everything is polled; the page only reads.
 */
export class Overview {
  counts = $state<OverviewCounts | null>(null);
  tokens = $state<TokensToday | null>(null);
  failures = $state<Failure[]>([]);
  /** The newest running sessions. */
  running = $state<SessionSummary[]>([]);
  loading = $state(false);
  error = $state<Problem | null>(null);
  updatedAt = $state<number | null>(null);
  readonly agents = new AgentRegistry();
  readonly #request = new LatestRequest();
  readonly #reasons = new FailureReasons(api);
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  get successRate(): number | null {
    return this.counts ? successRate(this.counts.completedToday, this.counts.failedToday) : null;
  }

  async refresh(): Promise<void> {
    const now = this.#now();
    const today = startOfDay(now).toISOString();
    this.loading = true;
    const outcome = await this.#request.run(async (signal) => {
      const total = async (query: ListSessionsQuery) =>
        (await api.listSessions({ ...query, limit: 1 }, signal)).total ?? 0;
      const [running, pending, awaitingApproval, failedToday, completedToday, failed, tokens] =
        await Promise.all([
          api.listSessions({ status: 'running', limit: RUNNING_SHOWN }, signal),
          total({ status: 'pending' }),
          total({ status: 'awaiting_approval' }),
          total({ status: 'failed', closedAfter: today }),
          total({ status: 'completed', closedAfter: today }),
          api.listSessions({ status: 'failed', limit: RECENT_FAILURES }, signal),
          this.#tokensSince(today, signal),
        ]);
      const failures = await Promise.all(
        failed.items.map(async (session) => ({
          session,
          reason: await this.#reasons.of(session, now, signal),
        })),
      );
      return {
        counts: {
          running: running.total ?? running.items.length,
          pending,
          awaitingApproval,
          failedToday,
          completedToday,
        },
        tokens,
        failures,
        running: running.items,
      };
    });
    if (outcome.status === 'superseded') return;
    this.loading = false;
    if (outcome.status === 'failed') {
      this.error = problemOf(outcome.error);
      return;
    }
    this.counts = outcome.value.counts;
    this.tokens = outcome.value.tokens;
    this.failures = outcome.value.failures;
    this.running = outcome.value.running;
    this.error = null;
    this.updatedAt = now;
  }

  /** Polls the figures and the agents; returns the stopper. */
  poll(intervalMs: number): () => void {
    const stopAgents = this.agents.poll(intervalMs);
    const stop = pollLatest(this.#request, () => this.refresh(), intervalMs);
    return () => {
      stop();
      stopAgents();
      this.loading = false;
    };
  }

  async #tokensSince(startedAfter: string, signal: AbortSignal): Promise<TokensToday> {
    let sum: TokensToday = { tokens: 0, sessions: 0, partial: false };
    let cursor: string | null = null;
    for (let page = 0; page < MAX_TOKEN_PAGES; page += 1) {
      const result = await api.listSessions({ startedAfter, cursor, limit: TOKEN_PAGE }, signal);
      cursor = result.nextCursor;
      sum = addTokens(sum, result.items, cursor !== null);
      if (cursor === null) break;
    }
    return sum;
  }
}
