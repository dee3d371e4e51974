/**
 * `codex exec --json` output, one JSON event per line, turned into the normalised event model:
 *
 * - `thread.started` → session (the thread id is what `codex exec resume` takes)
 * - `item.started` / `item.completed` of a `command_execution` → tool call, failed tool
 * - `item.completed` of a `file_change` → file changes; `agent_message` → text;
 *   `mcp_tool_call`, `web_search`, `todo_list` → tool calls; an `error` item → a notice
 * - `error` → retry (`Reconnecting... 2/5 (…)`, the CLI retries by itself) or error
 * - `turn.completed` → usage; `turn.failed` → how the run failed
 *
 * Lines that are not JSON events are left to the caller (written to the log as they are);
 * event and item types it does not know are ignored, so a newer CLI adding some does not break
 * runs.
 */
import type { AgentUsage } from '../contracts.js';
import { displayPath } from './display-path.js';
import type { AgentEvent, FileChangeKind } from './events.js';
import {
  jsonNumber as num,
  jsonObject as obj,
  jsonString as str,
  parseTypedJsonLine,
  type JsonObject as Json,
} from './untyped-json.js';

/** Token counts as Codex reports them: `input_tokens` includes the cached ones. */
export interface CodexTokenCounts {
  input: number;
  cachedInput: number;
  cacheWriteInput: number;
  output: number;
}

export interface CodexStreamParser {
  /** Parses one stdout line; false when it is not a `--json` event. */
  push(line: string): boolean;
  readonly threadId: string | null;
  /** The thread's running total at the last `turn.completed` (Codex reports totals, not deltas). */
  readonly totals: CodexTokenCounts | null;
  readonly turnCompleted: boolean;
  /** The `turn.failed` error message, if the turn failed. */
  readonly failure: string | null;
  /** The last top-level `error` message (the failure is usually the same text). */
  readonly lastError: string | null;
  /** The agent's last message: its answer, the step's summary. */
  readonly lastMessage: string | null;
  /**
   * The API rejected the credentials (HTTP 401/403). Codex retries that too, though with a
   * fixed key no retry can succeed: the adapter stops it at once.
   */
  readonly rejectedCredentials: { status: number; message: string } | null;
}

export interface CodexStreamParserOptions {
  /** Paths inside it are shown relative to it. */
  workspace: string;
  /** Whether this run resumed an earlier thread (for the session event). */
  resumed: boolean;
  model: string;
  /** What the thread had used before this run: usage events report this run's share. */
  baseline: CodexTokenCounts | null;
  emit(event: AgentEvent): void;
  /** Codex's own non-fatal warnings (an `error` item): worth a log line, not an error. */
  notice(message: string): void;
}

const FILE_CHANGE_KINDS: Record<string, FileChangeKind> = {
  add: 'created',
  update: 'modified',
  delete: 'deleted',
};

/** `Reconnecting... 2/5 (<why>)`: Codex retries a failed model request by itself. */
const RECONNECTING = /^Reconnecting\.\.\.\s*(\d+)\/(\d+)\s*(?:\((.*)\))?$/s;

export function createCodexStreamParser(options: CodexStreamParserOptions): CodexStreamParser {
  const announced = new Set<string>();
  let threadId: string | null = null;
  let totals: CodexTokenCounts | null = null;
  let turnCompleted = false;
  let failure: string | null = null;
  let lastError: string | null = null;
  let lastMessage: string | null = null;
  let rejectedCredentials: { status: number; message: string } | null = null;
  const display = (path: string) => displayPath(path, options.workspace);
  const emit = options.emit;

  function toolCall(item: Json): void {
    const id = str(item.id);
    if (id !== null) {
      if (announced.has(id)) return;
      announced.add(id);
    }
    switch (item.type) {
      case 'command_execution':
        emit({ type: 'tool-call', tool: 'shell', summary: shellCommand(str(item.command) ?? '') });
        break;
      case 'mcp_tool_call': {
        const args = item.arguments === undefined || item.arguments === null ? '' : item.arguments;
        emit({
          type: 'tool-call',
          tool: `${str(item.server) ?? 'mcp'}.${str(item.tool) ?? '?'}`,
          summary: typeof args === 'string' ? args : JSON.stringify(args),
        });
        break;
      }
      case 'web_search':
        emit({ type: 'tool-call', tool: 'web_search', summary: str(item.query) ?? '' });
        break;
      case 'todo_list': {
        const todos = Array.isArray(item.items) ? item.items : [];
        emit({ type: 'tool-call', tool: 'todo_list', summary: `${todos.length} todos` });
        break;
      }
    }
  }

  function onItemCompleted(item: Json): void {
    switch (item.type) {
      case 'agent_message': {
        const text = str(item.text);
        if (text?.trim()) {
          lastMessage = text;
          emit({ type: 'text', text });
        }
        return;
      }
      case 'command_execution': {
        toolCall(item);
        const exitCode = num(item.exit_code);
        if (item.status === 'declined') {
          emit({ type: 'tool-failed', tool: 'shell', reason: 'declined by the sandbox policy' });
        } else if (item.status === 'failed' || (exitCode !== null && exitCode !== 0)) {
          const output = lastLine(str(item.aggregated_output) ?? '');
          emit({
            type: 'tool-failed',
            tool: 'shell',
            reason: `exit ${exitCode ?? '?'}${output ? `: ${output}` : ''}`,
          });
        }
        return;
      }
      case 'file_change': {
        const changes = Array.isArray(item.changes) ? (item.changes as unknown[]) : [];
        const paths = changes.map((change) => display(str(obj(change)?.path) ?? '?'));
        emit({ type: 'tool-call', tool: 'apply_patch', summary: paths.join(', ') });
        if (item.status === 'failed') {
          emit({ type: 'tool-failed', tool: 'apply_patch', reason: 'the patch did not apply' });
          return;
        }
        for (const raw of changes) {
          const change = obj(raw);
          const path = str(change?.path);
          if (!path) continue;
          emit({
            type: 'file-change',
            path: display(path),
            change: FILE_CHANGE_KINDS[str(change?.kind) ?? ''] ?? 'modified',
          });
        }
        return;
      }
      case 'mcp_tool_call':
        toolCall(item);
        if (item.status === 'failed') {
          emit({
            type: 'tool-failed',
            tool: `${str(item.server) ?? 'mcp'}.${str(item.tool) ?? '?'}`,
            reason: str(obj(item.error)?.message) ?? 'failed',
          });
        }
        return;
      case 'web_search':
      case 'todo_list':
        toolCall(item);
        return;
      case 'error': {
        const message = str(item.message);
        if (message) options.notice(message);
        return;
      }
    }
  }

  function onError(message: string): void {
    const retrying = RECONNECTING.exec(message.trim());
    if (retrying) {
      const why = retrying[3] ?? '';
      const status = modelStatusOf(why);
      if (status === 401 || status === 403) rejectedCredentials ??= { status, message: why };
      emit({
        type: 'retry',
        message: `${retrying[3] ?? 'model request failed'}; retry ${retrying[1]}/${retrying[2]}`,
      });
      return;
    }
    lastError = message;
    emit({ type: 'error', message });
  }

  function onTurnCompleted(event: Json): void {
    turnCompleted = true;
    const usage = obj(event.usage);
    if (!usage) return;
    totals = tokenCounts(usage);
    emit({ type: 'usage', usage: usageSince(totals, options.baseline) });
  }

  const handlers: Record<string, (event: Json) => void> = {
    'thread.started': (event) => {
      threadId = str(event.thread_id) ?? threadId;
      if (threadId) {
        emit({
          type: 'session',
          agentSessionId: threadId,
          model: options.model,
          resumed: options.resumed,
        });
      }
    },
    'item.started': (event) => {
      const item = obj(event.item);
      if (item) toolCall(item);
    },
    'item.completed': (event) => {
      const item = obj(event.item);
      if (item) onItemCompleted(item);
    },
    error: (event) => onError(str(event.message) ?? 'unknown error'),
    'turn.completed': onTurnCompleted,
    'turn.failed': (event) => {
      failure = str(obj(event.error)?.message) ?? lastError ?? 'the turn failed';
      // The same text came as an `error` event just before: logged once.
      if (failure !== lastError) emit({ type: 'error', message: failure });
    },
  };

  return {
    push(line) {
      const event = parseTypedJsonLine(line);
      if (!event) return false;
      handlers[event.type]?.(event);
      return true;
    },
    get threadId() {
      return threadId;
    },
    get totals() {
      return totals;
    },
    get turnCompleted() {
      return turnCompleted;
    },
    get failure() {
      return failure;
    },
    get lastError() {
      return lastError;
    },
    get lastMessage() {
      return lastMessage;
    },
    get rejectedCredentials() {
      return rejectedCredentials;
    },
  };
}

/**
 * The model API's HTTP status in a Codex error message: `unexpected status 503 Service
 * Unavailable: …`, `exceeded retry limit, last status: 429 Too Many Requests`. For HTTP 500
 * Codex (0.169) prints only its own text, "We're currently experiencing high demand, …".
 */
export function modelStatusOf(message: string): number | null {
  const status = /(?:unexpected status|last status:?)\s+(\d{3})\b/i.exec(message);
  if (status) return Number(status[1]);
  if (/experiencing high demand/i.test(message)) return 500;
  return null;
}

/** Codex's usage object (of `turn.completed`, or a rollout's `token_count`) as token counts. */
export function tokenCounts(usage: Json): CodexTokenCounts {
  return {
    input: num(usage.input_tokens) ?? 0,
    cachedInput: num(usage.cached_input_tokens) ?? 0,
    cacheWriteInput: num(usage.cache_write_input_tokens) ?? 0,
    output: num(usage.output_tokens) ?? 0,
  };
}

/**
 * A run's usage from the thread's totals before and after it, in the orchestrator's terms:
 * `inputTokens` without the cached ones (as Anthropic counts them, so that the four counts add
 * up to what the step used), no cost (Codex does not price its requests).
 */
export function usageSince(
  totals: CodexTokenCounts,
  baseline: CodexTokenCounts | null,
): AgentUsage {
  const before = baseline ?? { input: 0, cachedInput: 0, cacheWriteInput: 0, output: 0 };
  const cacheRead = Math.max(totals.cachedInput - before.cachedInput, 0);
  const cacheWrite = Math.max(totals.cacheWriteInput - before.cacheWriteInput, 0);
  return {
    inputTokens: Math.max(totals.input - before.input - cacheRead - cacheWrite, 0),
    outputTokens: Math.max(totals.output - before.output, 0),
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    costUsd: null,
  };
}

/**
 * The command as the model wrote it: Codex reports it wrapped for the shell
 * (`/bin/bash -lc 'printf … > hello.txt'`), which says nothing a reader needs.
 */
export function shellCommand(command: string): string {
  const wrapped = /^\S*\/(?:ba|z)?sh -l?c (['"])([\s\S]*)\1$/.exec(command.trim());
  if (!wrapped) return command;
  const body = wrapped[2] ?? '';
  return (
    wrapped[1] === "'" ? body.replaceAll(`'\\''`, "'") : body.replace(/\\(["\\$`])/g, '$1')
  ).trim();
}

function lastLine(text: string): string {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  return lines.at(-1)?.trim() ?? '';
}
