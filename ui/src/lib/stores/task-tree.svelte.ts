import type { Problem, SessionTree } from '$lib/types/api';
import { problemOf } from '$lib/services/problem';
import { api } from './gateway.svelte';
import { LatestRequest } from './latest-request';
import { TreeExpansion } from './tree-expansion.svelte';

export type TreeLoader = (sessionId: string, signal: AbortSignal) => Promise<SessionTree>;

/** One session's task tree (GET …/tree), read again while the session runs. */
export class TaskTreeView {
  readonly sessionId: string;
  tree = $state<SessionTree | null>(null);
  loading = $state(false);
  error = $state<Problem | null>(null);
  readonly expansion = new TreeExpansion();
  readonly #load: TreeLoader;
  readonly #request = new LatestRequest();
  #again = false;

  constructor(sessionId: string, load: TreeLoader = (id, signal) => api.getTree(id, signal)) {
    this.sessionId = sessionId;
    this.#load = load;
  }

  get loaded(): boolean {
    return this.tree !== null;
  }

  /**
   * Reads the tree. A poll (`ifIdle`) does not start a second read while one is out, but makes
   * that one run once more after it: the last poll (a session that just closed) is never lost.
   * An explicit refresh supersedes the read in flight.
   */
  async refresh(options: { ifIdle?: boolean } = {}): Promise<void> {
    if (options.ifIdle && this.#request.inFlight) {
      this.#again = true;
      return;
    }
    do {
      this.#again = false;
      this.loading = true;
      const outcome = await this.#request.run((signal) => this.#load(this.sessionId, signal));
      if (outcome.status === 'superseded') return;
      this.loading = false;
      if (outcome.status === 'failed') this.error = problemOf(outcome.error);
      else {
        this.tree = outcome.value;
        this.error = null;
      }
    } while (this.#again);
  }

  stop(): void {
    this.#again = false;
    this.#request.abort();
    this.loading = false;
  }
}
