import type { Problem, SessionStatus, SessionSummary } from '$lib/types/api';
import { problemOf } from '$lib/services/problem';
import { noFilters, sameFilters, type ListFilters } from '$lib/models/session-filters';
import { api } from './gateway.svelte';
import {
  firstPage,
  goNext,
  goPrevious,
  hasNext,
  hasPrevious,
  pageNumber,
  withNext,
  type CursorStack,
} from './cursor-stack';
import { LatestRequest, pollLatest } from './latest-request';

/** The sessions table: one page of sessions for a set of filters, kept fresh by polling. */
export class SessionList {
  items = $state<SessionSummary[]>([]);
  filters = $state.raw<ListFilters>(noFilters);
  paging = $state.raw<CursorStack>(firstPage);
  /** Sessions matching the filters, when the gateway counts them. */
  total = $state<number | null>(null);
  /** A request is in flight. */
  loading = $state(false);
  /** The current filter and page have been loaded at least once. */
  loaded = $state(false);
  error = $state<Problem | null>(null);
  updatedAt = $state<number | null>(null);
  readonly limit: number;
  readonly #request = new LatestRequest();

  constructor(limit = 25) {
    this.limit = limit;
  }

  get status(): SessionStatus | null {
    return this.filters.status;
  }

  /**
   * Visibility may hand out a cursor for an empty page after a full last one: when the total
   * says every session was shown already, there is no next page.
   */
  get hasNext(): boolean {
    if (!hasNext(this.paging)) return false;
    return this.total === null || pageNumber(this.paging) * this.limit < this.total;
  }

  get hasPrevious(): boolean {
    return hasPrevious(this.paging);
  }

  get page(): number {
    return pageNumber(this.paging);
  }

  /** Loads the current page again; a newer call supersedes an older one still in flight. */
  async refresh(): Promise<void> {
    const paging = this.paging;
    const query = { ...this.filters, cursor: paging.current, limit: this.limit };
    this.loading = true;
    const outcome = await this.#request.run((signal) => api.listSessions(query, signal));
    if (outcome.status === 'superseded') return;
    this.loading = false;
    if (outcome.status === 'failed') {
      this.error = problemOf(outcome.error);
      return;
    }
    this.items = outcome.value.items;
    this.total = outcome.value.total;
    this.paging = withNext(paging, outcome.value.nextCursor);
    this.error = null;
    this.loaded = true;
    this.updatedAt = Date.now();
  }

  /** Applies new filters (back to the first page); the same filters again change nothing. */
  setFilters(filters: ListFilters): void {
    if (sameFilters(filters, this.filters)) return;
    this.filters = filters;
    this.total = null;
    this.#moveTo(firstPage);
  }

  setStatus(status: SessionStatus | null): void {
    this.setFilters({ ...this.filters, status });
  }

  next(): void {
    if (this.hasNext) this.#moveTo(goNext(this.paging));
  }

  previous(): void {
    if (this.hasPrevious) this.#moveTo(goPrevious(this.paging));
  }

  /** Refreshes now and then every `intervalMs` while the tab is visible; returns the stopper. */
  poll(intervalMs: number): () => void {
    const stop = pollLatest(this.#request, () => this.refresh(), intervalMs);
    return () => {
      stop();
      this.loading = false;
    };
  }

  #moveTo(paging: CursorStack): void {
    this.paging = paging;
    this.items = [];
    this.loaded = false;
    void this.refresh();
  }
}
