/**
 * Counts of the session list's visibility queries, kept for a moment per query.
 *
 * The list's `total` is a second visibility call beside the page, and the slower one: on the
 * dev server's SQLite a count of 10,000 sessions takes about 2.5× the page itself, so every
 * page waited for it (the bench's list figure, 4× the raw page). A console polls the same
 * filters again and again; within `ttlMs` they share one count, and concurrent requests share
 * the call in flight. A total may lag by that much (visibility itself is eventually
 * consistent, so list and count could already disagree); this gateway's own starts, stops and
 * retries clear the cache, so an operator sees their action counted at once.
 */
export interface CountCache {
  count(query: string): Promise<number>;
  /** Forgets every count (after a change this gateway made). */
  clear(): void;
}

/** Distinct filters remembered at once; the oldest is dropped beyond that. */
const MAX_QUERIES = 256;

export function createCountCache(
  countNow: (query: string) => Promise<number>,
  ttlMs: number,
  now: () => number = Date.now,
): CountCache {
  const counts = new Map<string, { at: number; value: Promise<number> }>();
  return {
    count(query) {
      if (ttlMs <= 0) return countNow(query);
      const cached = counts.get(query);
      if (cached && now() - cached.at < ttlMs) return cached.value;
      counts.delete(query);
      const value = countNow(query);
      const entry = { at: now(), value };
      counts.set(query, entry);
      // A failed count is not remembered: the next request asks again.
      value.catch(() => {
        if (counts.get(query) === entry) counts.delete(query);
      });
      if (counts.size > MAX_QUERIES) counts.delete(counts.keys().next().value!);
      return value;
    },
    clear() {
      counts.clear();
    },
  };
}
