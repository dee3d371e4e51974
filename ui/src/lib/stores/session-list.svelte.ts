import type { Problem, SessionStatus, SessionSummary } from '$lib/types/api';
import { problemOf } from '$lib/services/problem';
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

/** The sessions table: one page of sessions for a status filter, kept fresh by polling. */
export class SessionList {
  items = $state<SessionSummary[]>([]);
  status = $state<SessionStatus | null>(null);
  paging = $state.raw<CursorStack>(firstPage);
  /** A request is in flight. */
  loading = $state(false);
  /** The current filter and page have been loaded at least once. */
  loaded = $state(false);
  error = $state<Problem | null>(null);
  updatedAt = $state<number | null>(null);
  readonly limit: number;
  #seq = 0;
  #controller: AbortController | null = null;

  constructor(limit = 25) {
    this.limit = limit;
  }

  get hasNext(): boolean {
    return hasNext(this.paging);
  }

  get hasPrevious(): boolean {
    return hasPrevious(this.paging);
  }

  get page(): number {
    return pageNumber(this.paging);
  }

  /** Loads the current page again; a newer call supersedes an older one still in flight. */
  async refresh(): Promise<void> {
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    const seq = ++this.#seq;
    const paging = this.paging;
    this.loading = true;
    try {
      const page = await api.listSessions(
        { status: this.status, cursor: paging.current, limit: this.limit },
        controller.signal,
      );
      if (seq !== this.#seq) return;
      this.items = page.items;
      this.paging = withNext(paging, page.nextCursor);
      this.error = null;
      this.loaded = true;
      this.updatedAt = Date.now();
    } catch (error) {
      if (seq !== this.#seq || controller.signal.aborted) return;
      this.error = problemOf(error);
    } finally {
      if (seq === this.#seq) {
        this.loading = false;
        this.#controller = null;
      }
    }
  }

  setStatus(status: SessionStatus | null): void {
    if (status === this.status) return;
    this.status = status;
    this.#moveTo(firstPage);
  }

  next(): void {
    if (this.hasNext) this.#moveTo(goNext(this.paging));
  }

  previous(): void {
    if (this.hasPrevious) this.#moveTo(goPrevious(this.paging));
  }

  /** Refreshes now and then every `intervalMs` while the tab is visible; returns the stopper. */
  poll(intervalMs: number): () => void {
    void this.refresh();
    const timer = setInterval(() => {
      if (typeof document !== 'undefined' && document.hidden) return;
      if (this.loading) return;
      void this.refresh();
    }, intervalMs);
    return () => {
      clearInterval(timer);
      this.#controller?.abort();
    };
  }

  #moveTo(paging: CursorStack): void {
    this.paging = paging;
    this.items = [];
    this.loaded = false;
    void this.refresh();
  }
}
