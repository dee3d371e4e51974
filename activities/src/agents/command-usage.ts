/**
 * Usage a `command` agent reports itself: a stdout line `ORCHESTRATOR_USAGE {json}` with
 * `inputTokens`, `outputTokens` and optionally `cacheReadTokens`, `cacheWriteTokens` and
 * `costUsd`. Scripts that wrap a model (or a tool with a bill) report what they spent, and the
 * session counts it against its budget like any agent's. Several lines add up; a malformed one
 * is ignored (it stays in the log as written).
 */
import type { AgentUsage } from '../contracts.js';

const USAGE_LINE = /^ORCHESTRATOR_USAGE\s+(\{.*\})\s*$/;

const count = (value: unknown): number | null =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;

/** The usage a line reports, or null when it is not a (valid) usage line. */
export function parseUsageLine(line: string): AgentUsage | null {
  const match = USAGE_LINE.exec(line);
  if (!match?.[1]) return null;
  let data: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(match[1]);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
    data = parsed as Record<string, unknown>;
  } catch {
    return null;
  }
  const input = count(data.inputTokens);
  const output = count(data.outputTokens);
  if (input === null || output === null) return null;
  const cost = data.costUsd;
  return {
    inputTokens: input,
    outputTokens: output,
    cacheReadTokens: count(data.cacheReadTokens) ?? 0,
    cacheWriteTokens: count(data.cacheWriteTokens) ?? 0,
    costUsd: typeof cost === 'number' && Number.isFinite(cost) && cost >= 0 ? cost : null,
  };
}

export function addAgentUsage(total: AgentUsage | null, more: AgentUsage): AgentUsage {
  if (!total) return more;
  return {
    inputTokens: total.inputTokens + more.inputTokens,
    outputTokens: total.outputTokens + more.outputTokens,
    cacheReadTokens: total.cacheReadTokens + more.cacheReadTokens,
    cacheWriteTokens: total.cacheWriteTokens + more.cacheWriteTokens,
    costUsd:
      total.costUsd === null && more.costUsd === null
        ? null
        : (total.costUsd ?? 0) + (more.costUsd ?? 0),
  };
}
