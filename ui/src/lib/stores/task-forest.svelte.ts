import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import type { SessionSummary } from '$lib/types/api';
import { isTerminal } from '$lib/models/session-status';
import {
  noTaskFilters,
  sameTaskFilters,
  sessionMatches,
  treeFilterOf,
  type TaskFilters,
} from '$lib/models/task-filters';
import { filterTree, isTreeFiltered, type FilteredTree } from '$lib/models/task-tree';
import { api } from './gateway.svelte';
import { pollWhileVisible } from './latest-request';
import { SessionList } from './session-list.svelte';
import { TaskTreeView } from './task-tree.svelte';

/** Details read at once while finding which sessions of a page have a plan. */
const CONCURRENCY = 4;

export interface ForestRow {
  session: SessionSummary;
  expanded: boolean;
  /** The tree's view once the session was expanded (or a filter needed it). */
  view: TaskTreeView | null;
  /** The tree after the status and agent filters; null until read. */
  filtered: FilteredTree | null;
}

/**
 * Every planned session's task tree across a page of sessions (newest first, server-side
 * paging): which sessions planned is read once per session from its detail, each tree only
 * when expanded, and the filters apply in the browser to what the page loaded.
 */
export class TaskForest {
  readonly list: SessionList;
  filters = $state.raw<TaskFilters>(noTaskFilters);
  /** Whether a session has a plan, by id; absent: not known yet. */
  readonly planned = new SvelteMap<string, boolean>();
  readonly expanded = new SvelteSet<string>();
  readonly #views = new SvelteMap<string, TaskTreeView>();
  #refreshing = false;
  #again = false;
  /** "Expand all" was asked: sessions found planned later open too. */
  #expandFound = false;

  constructor(limit = 20) {
    this.list = new SessionList(limit);
  }

  /** Planned sessions of the page, with their trees as the filters leave them. */
  get rows(): ForestRow[] {
    const treeFilter = treeFilterOf(this.filters);
    const rows: ForestRow[] = [];
    for (const session of this.list.items) {
      if (this.planned.get(session.id) !== true || !sessionMatches(session, this.filters)) continue;
      const view = this.#views.get(session.id) ?? null;
      const tree = view?.tree ?? null;
      const filtered = tree ? filterTree(tree.nodes, treeFilter) : null;
      // A loaded tree with nothing matching leaves the list; an unread one stays, loading.
      if (isTreeFiltered(treeFilter) && filtered && filtered.nodes.length === 0) continue;
      rows.push({ session, expanded: this.expanded.has(session.id), view, filtered });
    }
    return rows;
  }

  /** Sessions of the page known to have no plan. */
  get unplanned(): number {
    return this.list.items.filter((s) => this.planned.get(s.id) === false).length;
  }

  /** Sessions of the page whose plan is not known yet. */
  get unknown(): number {
    return this.list.items.filter((s) => !this.planned.has(s.id)).length;
  }

  setFilters(filters: TaskFilters): void {
    if (sameTaskFilters(filters, this.filters)) return;
    this.filters = filters;
    // Filtering by a node's status or agent needs the trees: read those not read yet.
    if (isTreeFiltered(treeFilterOf(filters))) this.#loadPlannedTrees();
  }

  toggle(sessionId: string): void {
    if (this.expanded.has(sessionId)) {
      this.expanded.delete(sessionId);
      return;
    }
    this.expanded.add(sessionId);
    const view = this.#view(sessionId);
    if (!view.loaded) void view.refresh();
  }

  /** Expands every planned session of the page, and those found planned from now on. */
  expandAll(): void {
    this.#expandFound = true;
    for (const row of this.rows) if (!row.expanded) this.toggle(row.session.id);
  }

  collapseAll(): void {
    this.#expandFound = false;
    this.expanded.clear();
  }

  /**
   * The list, the plans of sessions new to it, and the trees of the open ones. A call while
   * one runs makes it run once more after (a page turned mid-refresh).
   */
  async refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#again = true;
      return;
    }
    this.#refreshing = true;
    try {
      do {
        this.#again = false;
        await this.list.refresh();
        await this.#classify(this.list.items);
        if (isTreeFiltered(treeFilterOf(this.filters))) this.#loadPlannedTrees();
        this.#refreshOpenTrees();
      } while (this.#again);
    } finally {
      this.#refreshing = false;
    }
  }

  next(): void {
    this.list.next();
    void this.refresh();
  }

  previous(): void {
    this.list.previous();
    void this.refresh();
  }

  #refreshOpenTrees(): void {
    for (const session of this.list.items) {
      const view = this.#views.get(session.id);
      if (!view?.tree) continue;
      // An open session's tree grows; a closed one is read once more after it closed.
      if (!isTerminal(session.status) || view.tree.status !== session.status) {
        void view.refresh({ ifIdle: true });
      }
    }
  }

  poll(intervalMs: number): () => void {
    const stop = pollWhileVisible(() => void this.refresh(), intervalMs);
    return () => {
      stop();
      for (const view of this.#views.values()) view.stop();
    };
  }

  #view(sessionId: string): TaskTreeView {
    let view = this.#views.get(sessionId);
    if (!view) {
      view = new TaskTreeView(sessionId);
      this.#views.set(sessionId, view);
    }
    return view;
  }

  #loadPlannedTrees(): void {
    for (const session of this.list.items) {
      if (this.planned.get(session.id) !== true) continue;
      const view = this.#view(session.id);
      if (!view.loaded && !view.loading) void view.refresh();
    }
  }

  #classified(id: string, planned: boolean): void {
    this.planned.set(id, planned);
    if (planned && this.#expandFound && !this.expanded.has(id)) this.toggle(id);
  }

  /**
   * Classifies each session not classified yet: from the list's `planned`, else (a gateway
   * from before it) from its detail, a few at a time.
   */
  async #classify(sessions: readonly SessionSummary[]): Promise<void> {
    const queue: string[] = [];
    for (const session of sessions) {
      if (this.planned.has(session.id)) continue;
      if (typeof session.planned === 'boolean') this.#classified(session.id, session.planned);
      else queue.push(session.id);
    }
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        try {
          const detail = await api.getSession(id);
          this.#classified(id, detail.plan !== null);
        } catch {
          // Unknown for now: the next refresh asks again.
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  }
}
