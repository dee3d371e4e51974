/**
 * The invariants the chaos run checks, as pure functions over what it collected, so they can be
 * tested on hand-made inputs (tests/chaos.test.ts) as well as run on the real thing.
 */
import { compareEntryIds } from '@orchestrator/activities/logs/entry-id';
import { parseNumberedLine, type SessionPlan } from './chaos-agents.js';

export interface LogRecord {
  id: string;
  stream: string;
  line: string;
}

export interface LogVerdict {
  /** Numbered lines in the log, over all attempts. */
  numbered: number;
  /** Agent runs that printed into this log (a worker crash adds one). */
  attempts: number;
  problems: string[];
}

/**
 * A session's archived log: ids unique and increasing; every attempt's numbered lines are
 * 1, 2, … k in order, none missing, none twice (an attempt cut short by a crash stops early, it
 * never skips); a session meant to complete or fail has an attempt that printed all
 * `expectedLines` (the last one, which produced the outcome).
 */
export function checkSessionLog(
  lines: LogRecord[],
  plan: SessionPlan,
  expectedLines: number,
): LogVerdict {
  const problems: string[] = [];
  for (let i = 1; i < lines.length; i += 1) {
    const previous = lines[i - 1]!.id;
    const current = lines[i]!.id;
    if (compareEntryIds(previous, current) >= 0) {
      problems.push(`entry ${current} comes after ${previous}: ids must strictly increase`);
    }
  }
  /** pid → the line numbers its attempt printed, in log order. */
  const attempts = new Map<number, number[]>();
  let numbered = 0;
  for (const record of lines) {
    if (record.stream === 'system') continue;
    const parsed = parseNumberedLine(record.line);
    if (!parsed) {
      problems.push(
        `unexpected ${record.stream} line ${JSON.stringify(record.line)} (${record.id})`,
      );
      continue;
    }
    numbered += 1;
    const seen = attempts.get(parsed.pid) ?? [];
    seen.push(parsed.n);
    attempts.set(parsed.pid, seen);
  }
  for (const [pid, numbers] of attempts) {
    numbers.forEach((n, index) => {
      const expected = index + 1;
      if (n !== expected) {
        problems.push(
          `attempt ${pid}: line ${n} where line ${expected} belongs` +
            (n < expected ? ' (a duplicate or out of order)' : ` (${n - expected} missing)`),
        );
      }
    });
  }
  if (plan !== 'cancel') {
    const last = [...attempts.values()].at(-1);
    if (!last || last.length !== expectedLines) {
      problems.push(
        `the last attempt printed ${last?.length ?? 0} numbered lines; expected all ${expectedLines}`,
      );
    }
  }
  // Keep reports readable when one fault cascades.
  return { numbered, attempts: attempts.size, problems: problems.slice(0, 5) };
}

/**
 * What one WebSocket client received for a session (log entries only) against the archive:
 * every archived line exactly once, in archive order, and nothing that is not archived.
 */
export function checkDelivery(received: string[], archived: string[]): string[] {
  const problems: string[] = [];
  const counts = new Map<string, number>();
  for (const id of received) counts.set(id, (counts.get(id) ?? 0) + 1);
  const duplicates = [...counts].filter(([, count]) => count > 1);
  if (duplicates.length > 0) {
    problems.push(
      `${duplicates.length} entries received more than once (e.g. ${duplicates[0]![0]} ×${duplicates[0]![1]})`,
    );
  }
  const archivedSet = new Set(archived);
  const missing = archived.filter((id) => !counts.has(id));
  if (missing.length > 0) {
    problems.push(`${missing.length} archived entries never received (first ${missing[0]})`);
  }
  const extra = [...counts.keys()].filter((id) => !archivedSet.has(id));
  if (extra.length > 0) {
    problems.push(`${extra.length} received entries are not in the archive (first ${extra[0]})`);
  }
  if (problems.length === 0 && received.some((id, index) => id !== archived[index])) {
    problems.push('entries arrived in a different order than the archive holds them');
  }
  return problems;
}

export type ChaosTarget = 'worker' | 'gateway' | 'temporal' | 'redis';

/** When a process was down: from the kill (or stop) until its replacement was ready. */
export interface DownWindow {
  target: ChaosTarget;
  from: number;
  to: number;
}

export interface ApiCall {
  method: string;
  path: string;
  startedAt: number;
  endedAt: number;
  /** null: no HTTP response (connection refused or reset). */
  status: number | null;
}

/**
 * 5xx answers that overlap no down window (widened by `graceMs` after each recovery, the time
 * clients take to reconnect to a restarted dependency).
 */
export function serverErrorsOutsideDowntime(
  calls: ApiCall[],
  windows: DownWindow[],
  graceMs: number,
): ApiCall[] {
  return calls.filter(
    (call) =>
      call.status !== null &&
      call.status >= 500 &&
      !windows.some(
        (window) => call.endedAt >= window.from && call.startedAt <= window.to + graceMs,
      ),
  );
}
