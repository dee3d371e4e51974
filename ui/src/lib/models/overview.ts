/** Pure figures of the overview page. */

/** Local midnight of the day `now` falls in: "today" is the operator's day. */
export function startOfDay(now: number): Date {
  const day = new Date(now);
  day.setHours(0, 0, 0, 0);
  return day;
}

/** Completed share of the sessions that finished (completed or failed); null when none did. */
export function successRate(completed: number, failed: number): number | null {
  const finished = completed + failed;
  return finished === 0 ? null : completed / finished;
}

/** "97.5%" with one decimal below 100, "100%", or "—". */
export function formatPercent(rate: number | null): string {
  if (rate === null) return '—';
  if (rate >= 1) return '100%';
  return `${(Math.floor(rate * 1000) / 10).toFixed(1)}%`;
}

/** Tokens of the sessions started today, summed over as many list pages as were read. */
export interface TokensToday {
  tokens: number;
  sessions: number;
  /** More sessions started today than were read: the figures are lower bounds. */
  partial: boolean;
}

export function addTokens(
  sum: TokensToday,
  items: readonly { tokensUsed: number }[],
  more: boolean,
): TokensToday {
  return {
    tokens: sum.tokens + items.reduce((total, item) => total + (item.tokensUsed || 0), 0),
    sessions: sum.sessions + items.length,
    partial: more,
  };
}
