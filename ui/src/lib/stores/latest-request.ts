/** How a request run through LatestRequest ended. */
export type Outcome<T> =
  | { status: 'done'; value: T }
  | { status: 'failed'; error: unknown }
  /** A newer request started (or `abort` was called): its answer no longer matters. */
  | { status: 'superseded' };

/**
 * Only the newest of overlapping requests counts: starting one aborts the one before, so a
 * slow answer for an old filter never overwrites a fresh one.
 */
export class LatestRequest {
  #seq = 0;
  #controller: AbortController | null = null;

  get inFlight(): boolean {
    return this.#controller !== null;
  }

  async run<T>(load: (signal: AbortSignal) => Promise<T>): Promise<Outcome<T>> {
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    const seq = ++this.#seq;
    try {
      const value = await load(controller.signal);
      return seq === this.#seq ? { status: 'done', value } : { status: 'superseded' };
    } catch (error) {
      if (seq !== this.#seq || controller.signal.aborted) return { status: 'superseded' };
      return { status: 'failed', error };
    } finally {
      if (seq === this.#seq) this.#controller = null;
    }
  }

  abort(): void {
    this.#seq += 1;
    this.#controller?.abort();
    this.#controller = null;
  }
}

/**
 * Refreshes now and every `intervalMs` while the page is visible, skipping a tick while the last
 * refresh is still in flight; stopping also drops the one in flight.
 */
export function pollLatest(
  request: LatestRequest,
  refresh: () => Promise<void>,
  intervalMs: number,
): () => void {
  const stop = pollWhileVisible(() => {
    if (!request.inFlight) void refresh();
  }, intervalMs);
  return () => {
    stop();
    request.abort();
  };
}

/**
 * Calls `tick` now and every `intervalMs` while the page is visible (a hidden tab does not poll);
 * returns the function that stops it.
 */
export function pollWhileVisible(tick: () => void, intervalMs: number): () => void {
  tick();
  const timer = setInterval(() => {
    if (typeof document !== 'undefined' && document.hidden) return;
    tick();
  }, intervalMs);
  return () => clearInterval(timer);
}
