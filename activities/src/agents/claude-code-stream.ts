/**
 * Claude Code's `--output-format stream-json --verbose` output, one JSON message per line,
 * turned into the normalised event model:
 *
 * - `system/init` → session (id, model); `system/api_retry` → retry
 * - `assistant` → text blocks, tool_use blocks (tool calls); API error messages → error
 * - `user` → tool_result blocks: a failed tool, or a file change of a file tool
 * - `result` → usage and cost, the final text, how the run ended (`is_error`, API status)
 *
 * Lines that are not JSON messages are left to the caller (written to the log as they are);
 * message types it does not know are ignored, so a newer CLI adding some does not break runs.
 */
import { isAbsolute, relative } from 'node:path';
import type { AgentUsage } from '../contracts.js';
import type { AgentEvent, FileChangeKind } from './events.js';

export interface ClaudeResult {
  /** `success`, `error_max_turns`, `error_during_execution`, … */
  subtype: string;
  isError: boolean;
  /** The agent's final text (its answer, or its error message). */
  text: string;
  sessionId: string | null;
  usage: AgentUsage | null;
  /** HTTP status of the model API error that ended the run, if one did. */
  apiErrorStatus: number | null;
  numTurns: number | null;
}

export interface ClaudeStreamParser {
  /** Parses one stdout line; false when it is not a stream-json message. */
  push(line: string): boolean;
  readonly sessionId: string | null;
  readonly model: string | null;
  readonly result: ClaudeResult | null;
  /** The last model API error the CLI reported (after its own retries). */
  readonly lastApiError: { status: number | null; message: string } | null;
  /**
   * The API rejected the credentials (HTTP 401/403). The CLI retries that too, for minutes,
   * though with a fixed key no retry can succeed: the adapter stops it at once.
   */
  readonly rejectedCredentials: { status: number; error: string } | null;
}

export interface ClaudeStreamParserOptions {
  /** Paths inside it are shown relative to it. */
  workspace: string;
  /** Whether this run resumed an earlier session (for the session event). */
  resumed: boolean;
  emit(event: AgentEvent): void;
}

/** Tools that change files, and where their input names the file. */
const FILE_TOOLS: Record<string, string> = {
  Write: 'file_path',
  Edit: 'file_path',
  MultiEdit: 'file_path',
  NotebookEdit: 'notebook_path',
};

type Json = Record<string, unknown>;

export function createClaudeStreamParser(options: ClaudeStreamParserOptions): ClaudeStreamParser {
  const toolCalls = new Map<string, { name: string; input: Json }>();
  let sessionId: string | null = null;
  let model: string | null = null;
  let result: ClaudeResult | null = null;
  let lastApiError: { status: number | null; message: string } | null = null;
  let lastErrorText: string | null = null;
  let lastText: string | null = null;
  let rejectedCredentials: { status: number; error: string } | null = null;

  function emit(event: AgentEvent): void {
    if (event.type === 'text') lastText = event.text.trim();
    options.emit(event);
  }

  const display = (path: string) => displayPath(path, options.workspace);

  function error(message: string): void {
    if (message === lastErrorText) return; // the result repeats the API error message
    lastErrorText = message;
    emit({ type: 'error', message });
  }

  function onSystem(message: Json): void {
    if (message.subtype === 'init') {
      sessionId = str(message.session_id) ?? sessionId;
      model = str(message.model) ?? model;
      if (sessionId) {
        emit({
          type: 'session',
          agentSessionId: sessionId,
          ...(model ? { model } : {}),
          resumed: options.resumed,
        });
      }
    } else if (message.subtype === 'api_retry') {
      const status = num(message.error_status);
      const delay = num(message.retry_delay_ms);
      if (status === 401 || status === 403) {
        rejectedCredentials ??= { status, error: str(message.error) ?? 'authentication failed' };
      }
      emit({
        type: 'retry',
        message:
          `model API ${status ?? 'error'}${message.error ? ` (${String(message.error)})` : ''}; ` +
          `retry ${num(message.attempt) ?? '?'}/${num(message.max_retries) ?? '?'}` +
          (delay === null ? '' : ` in ${(delay / 1000).toFixed(1)}s`),
      });
    }
  }

  function onAssistant(message: Json): void {
    const body = obj(message.message);
    const blocks = Array.isArray(body?.content) ? (body.content as unknown[]) : [];
    if (message.error !== undefined || message.is_api_error_message === true) {
      const text = blocks
        .map((block) => str(obj(block)?.text) ?? '')
        .join(' ')
        .trim();
      lastApiError = {
        status: num(message.api_error_status),
        message: text || String(message.error),
      };
      error(lastApiError.message);
      return;
    }
    for (const raw of blocks) {
      const block = obj(raw);
      if (!block) continue;
      if (block.type === 'text' && typeof block.text === 'string') {
        emit({ type: 'text', text: block.text });
      } else if (block.type === 'tool_use' && typeof block.name === 'string') {
        const input = obj(block.input) ?? {};
        if (typeof block.id === 'string') toolCalls.set(block.id, { name: block.name, input });
        emit({
          type: 'tool-call',
          tool: block.name,
          summary: toolSummary(block.name, input, display),
        });
      }
    }
  }

  function onUser(message: Json): void {
    const body = obj(message.message);
    if (!Array.isArray(body?.content)) return;
    const structured = obj(message.tool_use_result);
    for (const raw of body.content as unknown[]) {
      const block = obj(raw);
      if (block?.type !== 'tool_result' || typeof block.tool_use_id !== 'string') continue;
      const call = toolCalls.get(block.tool_use_id);
      toolCalls.delete(block.tool_use_id);
      if (!call) continue;
      if (block.is_error === true) {
        emit({ type: 'tool-failed', tool: call.name, reason: toolResultText(block.content) });
        continue;
      }
      const pathField = FILE_TOOLS[call.name];
      const path = pathField ? str(call.input[pathField]) : null;
      if (path) {
        const change: FileChangeKind =
          call.name === 'Write' && structured?.type === 'create' ? 'created' : 'modified';
        emit({ type: 'file-change', path: display(path), change });
      }
    }
  }

  function onResult(message: Json): void {
    const usage = parseUsage(obj(message.usage), message.total_cost_usd);
    const isError = message.is_error === true;
    const text = str(message.result) ?? '';
    result = {
      subtype: str(message.subtype) ?? 'unknown',
      isError,
      text,
      sessionId: str(message.session_id) ?? sessionId,
      usage,
      apiErrorStatus: num(message.api_error_status),
      numTurns: num(message.num_turns),
    };
    sessionId = result.sessionId;
    if (usage) emit({ type: 'usage', usage });
    if (isError) error(text || `Claude Code ended with ${result.subtype}`);
    // The final answer is usually the last assistant text too: it is not logged twice.
    else if (text && text.trim() !== lastText) emit({ type: 'text', text });
  }

  const handlers: Record<string, (message: Json) => void> = {
    system: onSystem,
    assistant: onAssistant,
    user: onUser,
    result: onResult,
  };

  return {
    push(line) {
      const trimmed = line.trim();
      if (!trimmed.startsWith('{')) return false;
      let message: unknown;
      try {
        message = JSON.parse(trimmed);
      } catch {
        return false;
      }
      const json = obj(message);
      if (!json || typeof json.type !== 'string') return false;
      handlers[json.type]?.(json);
      return true;
    },
    get sessionId() {
      return sessionId;
    },
    get model() {
      return model;
    },
    get result() {
      return result;
    },
    get lastApiError() {
      return lastApiError;
    },
    get rejectedCredentials() {
      return rejectedCredentials;
    },
  };
}

function parseUsage(usage: Json | null, cost: unknown): AgentUsage | null {
  if (!usage) return null;
  return {
    inputTokens: num(usage.input_tokens) ?? 0,
    outputTokens: num(usage.output_tokens) ?? 0,
    cacheReadTokens: num(usage.cache_read_input_tokens) ?? 0,
    cacheWriteTokens: num(usage.cache_creation_input_tokens) ?? 0,
    costUsd: num(cost),
  };
}

/** One line saying what a tool call is about: its file, command, pattern or URL. */
export function toolSummary(
  tool: string,
  input: Json,
  display: (path: string) => string = (path) => path,
): string {
  const path = str(input.file_path) ?? str(input.notebook_path);
  if (path) return display(path);
  switch (tool) {
    case 'Bash':
      return str(input.command) ?? '';
    case 'Glob':
    case 'Grep': {
      const pattern = str(input.pattern) ?? '';
      const where = str(input.path);
      return where ? `${pattern} in ${display(where)}` : pattern;
    }
    case 'WebFetch':
      return str(input.url) ?? '';
    case 'WebSearch':
      return str(input.query) ?? '';
    case 'Task':
    case 'Agent':
      return str(input.description) ?? str(input.subagent_type) ?? '';
    case 'TodoWrite':
      return Array.isArray(input.todos) ? `${input.todos.length} todos` : '';
    default: {
      const json = JSON.stringify(input);
      return json === '{}' ? '' : json;
    }
  }
}

function displayPath(path: string, workspace: string): string {
  if (!isAbsolute(path)) return path;
  const inside = relative(workspace, path);
  return inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside : path;
}

function toolResultText(content: unknown): string {
  const text =
    typeof content === 'string'
      ? content
      : Array.isArray(content)
        ? content.map((part) => str(obj(part)?.text) ?? '').join(' ')
        : '';
  return text.replace(/<\/?tool_use_error>/g, '').trim() || 'failed';
}

function obj(value: unknown): Json | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
