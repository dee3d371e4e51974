/**
 * The one event model every agent adapter speaks, whatever its own output format (Claude Code's
 * stream-json, OpenCode's event stream, Codex's JSON lines): what the agent said, which tools it
 * called, which files it changed, what it cost, what went wrong. Events reach the session's log
 * as readable, greppable lines (`[tool] Write hello.txt`, `[usage] in=… out=… cost=$…`); the
 * `command` agent has no events and streams its raw output instead.
 */
import type { AgentUsage } from '../contracts.js';
import type { LogStream } from '../logs/types.js';

export type FileChangeKind = 'created' | 'modified' | 'deleted';

export type AgentEvent =
  /** The agent's session started or was resumed (its id is what a retry resumes). */
  | { type: 'session'; agentSessionId: string; model?: string; resumed: boolean }
  /** Text the agent wrote for people (its reasoning out loud, its final answer). */
  | { type: 'text'; text: string }
  /** A tool call, with a one-line summary of its input (a path, a command, a pattern). */
  | { type: 'tool-call'; tool: string; summary: string }
  /** A tool call that failed or was denied; the agent carries on. */
  | { type: 'tool-failed'; tool: string; reason: string }
  | { type: 'file-change'; path: string; change: FileChangeKind }
  /** The model API failed and the agent retries by itself. */
  | { type: 'retry'; message: string }
  | { type: 'usage'; usage: AgentUsage }
  /** The agent reports a failure (the step will fail or be retried). */
  | { type: 'error'; message: string };

export interface EventLine {
  stream: LogStream;
  line: string;
}

const MAX_SUMMARY = 200;

/** The log lines of one event; multi-line text becomes one `[text]` line per non-empty line. */
export function eventLines(event: AgentEvent): EventLine[] {
  switch (event.type) {
    case 'session':
      return [
        {
          stream: 'system',
          line:
            `[session] ${event.resumed ? 'resumed' : 'started'} ${event.agentSessionId}` +
            (event.model ? ` (model ${event.model})` : ''),
        },
      ];
    case 'text':
      return event.text
        .split(/\r?\n/)
        .filter((line) => line.trim() !== '')
        .map((line) => ({ stream: 'stdout', line: `[text] ${line}` }));
    case 'tool-call':
      return [
        {
          stream: 'stdout',
          line: `[tool] ${event.tool}${event.summary ? ` ${oneLine(event.summary)}` : ''}`,
        },
      ];
    case 'tool-failed':
      return [{ stream: 'stdout', line: `[tool-failed] ${event.tool}: ${oneLine(event.reason)}` }];
    case 'file-change':
      return [{ stream: 'stdout', line: `[file] ${event.change} ${event.path}` }];
    case 'retry':
      return [{ stream: 'stderr', line: `[retry] ${oneLine(event.message)}` }];
    case 'usage':
      return [{ stream: 'stdout', line: `[usage] ${formatUsage(event.usage)}` }];
    case 'error':
      return [{ stream: 'stderr', line: `[error] ${oneLine(event.message)}` }];
  }
}

export function formatUsage(usage: AgentUsage): string {
  const cost = usage.costUsd === null ? 'unknown' : `$${formatCost(usage.costUsd)}`;
  return (
    `in=${usage.inputTokens} out=${usage.outputTokens} cache_read=${usage.cacheReadTokens} ` +
    `cache_write=${usage.cacheWriteTokens} cost=${cost}`
  );
}

/** Dollars with enough digits for sub-cent steps, without float noise (0.001065, 1.25). */
function formatCost(value: number): string {
  return Number(value.toPrecision(6)).toString();
}

function oneLine(text: string): string {
  const flat = text.replace(/\s*\r?\n\s*/g, ' ⏎ ').trim();
  return flat.length <= MAX_SUMMARY ? flat : `${flat.slice(0, MAX_SUMMARY - 1)}…`;
}
