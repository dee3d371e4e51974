/**
 * What Codex keeps of a thread in its CODEX_HOME: one rollout file per thread,
 * `sessions/YYYY/MM/DD/rollout-<time>-<thread id>.jsonl`, appended as the thread goes (its
 * messages, tool calls and, after every model response, a `token_count` event with the
 * thread's running totals). `codex exec resume <id>` needs it; the adapter reads it to know
 * whether a thread can be resumed and what the thread had used before a run, since Codex
 * reports totals rather than a run's own usage. The format is Codex's own: anything unexpected
 * reads as "no rollout" or "no usage", which costs a fresh start or a usage figure, never a run.
 */
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { tokenCounts, type CodexTokenCounts } from './codex-stream.js';
import { jsonObject, parseTypedJsonLine } from './untyped-json.js';

export async function findRollout(codexHome: string, threadId: string): Promise<string | null> {
  const sessions = join(codexHome, 'sessions');
  const files = await readdir(sessions, { recursive: true }).catch(() => [] as string[]);
  const name = files.find(
    (file) => file.endsWith(`-${threadId}.jsonl`) && file.split('/').at(-1)?.startsWith('rollout-'),
  );
  return name ? join(sessions, name) : null;
}

/** The thread's running token totals at its last recorded model response; null if none. */
export async function rolloutTotals(rollout: string): Promise<CodexTokenCounts | null> {
  let totals: CodexTokenCounts | null = null;
  const lines = createInterface({ input: createReadStream(rollout), crlfDelay: Infinity });
  try {
    for await (const line of lines) totals = lineTotals(line) ?? totals;
  } catch {
    return null; // gone or unreadable: nothing to go by
  }
  return totals;
}

function lineTotals(line: string): CodexTokenCounts | null {
  if (!line.includes('"token_count"')) return null;
  const payload = jsonObject(parseTypedJsonLine(line)?.payload);
  const usage = jsonObject(jsonObject(payload?.info)?.total_token_usage);
  if (payload?.type !== 'token_count' || !usage) return null;
  return tokenCounts(usage);
}
