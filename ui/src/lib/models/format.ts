import type { StepUsage } from '$lib/types/api';
function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** "2025-01-31 14:05:09" in local time; "—" for null or an unreadable date. */
export function formatTimestamp(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '—';
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/** "14:05:09" in local time. */
export function formatClock(value: number | Date): string {
  const date = new Date(value);
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** "1h 02m", "3m 07s", "12s" between two instants (to now while the session is open). */
export function formatDuration(from: string, to: string | null, now = Date.now()): string {
  const start = new Date(from).getTime();
  const end = to === null ? now : new Date(to).getTime();
  if (Number.isNaN(start) || Number.isNaN(end)) return '—';
  const seconds = Math.max(0, Math.round((end - start) / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h ${pad(m)}m`;
  if (m > 0) return `${m}m ${pad(s)}s`;
  return `${s}s`;
}

/** The first 7 characters of a commit SHA, as git shows it; "—" when there is none. */
/** `1.2k in / 340 out · $0.0123`, or a dash when the agent reported no usage. */
export function formatUsage(usage: StepUsage | null | undefined): string {
  if (!usage) return '—';
  const tokens = `${compactNumber(usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens)} in / ${compactNumber(usage.outputTokens)} out`;
  return usage.costUsd === null ? tokens : `${tokens} · $${usage.costUsd.toFixed(4)}`;
}

export function compactNumber(value: number): string {
  if (value < 1000) return String(value);
  if (value < 1_000_000) return `${(value / 1000).toFixed(value < 10_000 ? 1 : 0)}k`;
  return `${(value / 1_000_000).toFixed(1)}M`;
}

export function shortSha(sha: string | null): string {
  return sha ? sha.slice(0, 7) : '—';
}
