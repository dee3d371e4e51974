import type { SessionSummary } from '$lib/types/api';
import type { ApiClient } from '$lib/services/api';

/** How long an unknown failure reason is remembered before asking again. */
const UNKNOWN_REASON_MS = 60_000;

/**
 * Why failed runs failed, read from each session's detail once: a failed run's error never
 * changes. An unknown reason (no worker answered the query yet) is asked again after a while.
 */
export class FailureReasons {
  readonly #known = new Map<string, { reason: string | null; at: number }>();
  readonly #api: Pick<ApiClient, 'getSession'>;

  constructor(api: Pick<ApiClient, 'getSession'>) {
    this.#api = api;
  }

  async of(session: SessionSummary, now: number, signal?: AbortSignal): Promise<string | null> {
    const key = `${session.id}/${session.runId}`;
    const known = this.#known.get(key);
    if (known && (known.reason !== null || now - known.at < UNKNOWN_REASON_MS)) {
      return known.reason;
    }
    let reason: string | null = null;
    try {
      const detail = await this.#api.getSession(session.id, signal);
      if (detail.runId === session.runId) reason = detail.error;
    } catch {
      // The failure is still listed; its reason is asked again later.
    }
    this.#known.set(key, { reason, at: now });
    return reason;
  }
}
