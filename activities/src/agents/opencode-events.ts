/**
 * OpenCode's server event stream (`GET /event`, one JSON event per server-sent event), turned
 * into the normalised event model for one OpenCode session:
 *
 * - `message.part.updated`: finished text parts → text; tool parts → tool call, then a file
 *   change (write/edit) or a failed tool; `step-finish` parts → tokens and cost
 * - `session.status`: `busy`, `retry` (the model API failed and OpenCode retries by itself)
 *   → retry, `idle` (the prompt is done)
 * - `session.error` → error, with the model API's HTTP status when it was one
 * - `permission.asked` → handed to the adapter, which denies it (nobody is there to answer)
 *
 * Events of other sessions are ignored, except those of sub-agent sessions this one started
 * (OpenCode's `task` tool): their tool calls, usage and progress belong to the step too. Event
 * types it does not know are ignored, so a newer CLI adding some does not break runs.
 */
import type { AgentUsage } from '../contracts.js';
import { displayPath } from './display-path.js';
import type { AgentEvent } from './events.js';
import { jsonNumber, jsonObject, jsonString, type JsonObject } from './untyped-json.js';

export interface OpenCodeSessionError {
  /** OpenCode's error name: APIError, ProviderAuthError, MessageAbortedError, UnknownError, … */
  name: string;
  message: string;
  /** HTTP status of the model API, for an APIError. */
  statusCode: number | null;
}

export interface OpenCodePermissionRequest {
  id: string;
  permission: string;
  patterns: string[];
}

export interface OpenCodeEventParserOptions {
  /** The OpenCode session the step runs in. */
  sessionID: string;
  /** Paths inside it are shown relative to it. */
  workspace: string;
  /** False when the model has no price (a custom model without pricing): cost is unknown. */
  priced: boolean;
  emit(event: AgentEvent): void;
  /** OpenCode waits for an answer to this; the adapter gives one. */
  onPermission(request: OpenCodePermissionRequest): void;
  /** Milliseconds since the epoch (retry delays are announced as absolute times). */
  now?: () => number;
}

export interface OpenCodeEventParser {
  /** Handles one event; true when it was about the step's session (the agent made progress). */
  push(event: unknown): boolean;
  /** The session went idle after working: the prompt is done (or failed, see `error`). */
  readonly idle: boolean;
  /** Tokens and cost of the steps finished so far; null before the first one. */
  readonly usage: AgentUsage | null;
  /** The last text the agent finished writing in the step's session (its answer). */
  readonly lastText: string | null;
  readonly error: OpenCodeSessionError | null;
}

/** Tools that change files, and whether OpenCode says the file existed before. */
const FILE_TOOLS = new Set(['write', 'edit', 'multiedit']);

export function createOpenCodeEventParser(
  options: OpenCodeEventParserOptions,
): OpenCodeEventParser {
  const now = options.now ?? Date.now;
  const sessions = new Set([options.sessionID]);
  const userMessages = new Set<string>();
  const emittedText = new Set<string>();
  const announcedCalls = new Set<string>();
  const finishedCalls = new Set<string>();
  const finishedSteps = new Set<string>();
  let busy = false;
  let idle = false;
  let usage: AgentUsage | null = null;
  let lastText: string | null = null;
  let error: OpenCodeSessionError | null = null;
  const display = (path: string) => displayPath(path, options.workspace);

  function onPart(part: JsonObject, main: boolean): void {
    const messageID = jsonString(part.messageID);
    // Parts of the prompts the adapter sent: not the agent's doing.
    if (messageID !== null && userMessages.has(messageID)) return;
    const id = jsonString(part.id) ?? '';
    switch (part.type) {
      case 'text':
        return onText(part, id, main);
      case 'tool':
        return onTool(part);
      case 'step-finish':
        if (!finishedSteps.has(id)) {
          finishedSteps.add(id);
          usage = addStep(usage, part, options.priced);
        }
        return;
      default:
        return;
    }
  }

  function onText(part: JsonObject, id: string, main: boolean): void {
    const text = jsonString(part.text)?.trim() ?? '';
    const ended = jsonNumber(jsonObject(part.time)?.end) !== null;
    // Text streams in as deltas; it is logged once, when the part is finished.
    if (!ended || text === '' || part.synthetic === true || emittedText.has(id)) return;
    emittedText.add(id);
    if (main) lastText = text;
    options.emit({ type: 'text', text });
  }

  function onTool(part: JsonObject): void {
    const tool = jsonString(part.tool) ?? 'tool';
    const callID = jsonString(part.callID) ?? jsonString(part.id) ?? '';
    const state = jsonObject(part.state) ?? {};
    const status = jsonString(state.status);
    const input = jsonObject(state.input) ?? {};
    if (status === 'pending' || finishedCalls.has(callID)) return;
    if (!announcedCalls.has(callID)) {
      announcedCalls.add(callID);
      options.emit({
        type: 'tool-call',
        tool,
        summary: opencodeToolSummary(tool, input, jsonString(state.title), display),
      });
    }
    if (status === 'completed') {
      finishedCalls.add(callID);
      const path = FILE_TOOLS.has(tool) ? jsonString(input.filePath) : null;
      if (path) {
        const existed = jsonObject(state.metadata)?.exists;
        options.emit({
          type: 'file-change',
          path: display(path),
          change: tool === 'write' && existed === false ? 'created' : 'modified',
        });
      }
    } else if (status === 'error') {
      finishedCalls.add(callID);
      options.emit({
        type: 'tool-failed',
        tool,
        reason: jsonString(state.error) ?? 'failed',
      });
    }
  }

  function onStatus(status: JsonObject): void {
    if (status.type === 'busy') {
      busy = true;
    } else if (status.type === 'idle') {
      if (busy) idle = true;
    } else if (status.type === 'retry') {
      busy = true;
      const next = jsonNumber(status.next);
      const delay = next === null ? null : Math.max(0, next - now());
      options.emit({
        type: 'retry',
        message:
          `model API: ${jsonString(status.message) ?? 'request failed'}; ` +
          `OpenCode retries (attempt ${jsonNumber(status.attempt) ?? '?'}` +
          (delay === null ? ')' : `, in ${(delay / 1000).toFixed(1)}s)`),
      });
    }
  }

  function onError(value: JsonObject | null): void {
    const name = jsonString(value?.name) ?? 'UnknownError';
    const data = jsonObject(value?.data) ?? {};
    error = {
      name,
      message: jsonString(data.message) ?? name,
      statusCode: jsonNumber(data.statusCode),
    };
    options.emit({
      type: 'error',
      message:
        error.statusCode === null
          ? `${name}: ${error.message}`
          : `${name} (HTTP ${error.statusCode}): ${error.message}`,
    });
  }

  function handle(event: JsonObject): boolean {
    const properties = jsonObject(event.properties) ?? {};
    const sessionID = jsonString(properties.sessionID);
    if (event.type === 'session.created') {
      // A sub-agent (OpenCode's task tool) works in a session of its own, a child of this one.
      const info = jsonObject(properties.info);
      const parent = jsonString(info?.parentID);
      const child = jsonString(info?.id);
      if (parent && child && sessions.has(parent)) sessions.add(child);
      return child !== null && sessions.has(child);
    }
    if (sessionID === null || !sessions.has(sessionID)) return false;
    const main = sessionID === options.sessionID;
    switch (event.type) {
      case 'message.updated': {
        const info = jsonObject(properties.info);
        const id = jsonString(info?.id);
        if (info?.role === 'user' && id) userMessages.add(id);
        break;
      }
      case 'message.part.updated': {
        const part = jsonObject(properties.part);
        if (part) onPart(part, main);
        break;
      }
      case 'session.status': {
        const status = jsonObject(properties.status);
        if (status && main) onStatus(status);
        break;
      }
      case 'session.idle':
        if (main && busy) idle = true;
        break;
      case 'session.error':
        if (main) onError(jsonObject(properties.error));
        break;
      case 'permission.asked': {
        const id = jsonString(properties.id);
        if (id) {
          options.onPermission({
            id,
            permission: jsonString(properties.permission) ?? 'unknown',
            patterns: Array.isArray(properties.patterns)
              ? properties.patterns.filter((p): p is string => typeof p === 'string')
              : [],
          });
        }
        break;
      }
      default:
        break;
    }
    return true;
  }

  return {
    push(event) {
      const object = jsonObject(event);
      return object !== null && typeof object.type === 'string' ? handle(object) : false;
    },
    get idle() {
      return idle;
    },
    get usage() {
      return usage;
    },
    get lastText() {
      return lastText;
    },
    get error() {
      return error;
    },
  };
}

/** A step's tokens added to the total. Reasoning tokens are billed as output. */
function addStep(total: AgentUsage | null, part: JsonObject, priced: boolean): AgentUsage {
  const tokens = jsonObject(part.tokens) ?? {};
  const cache = jsonObject(tokens.cache) ?? {};
  const cost = jsonNumber(part.cost);
  const base = total ?? {
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    costUsd: priced ? 0 : null,
  };
  return {
    inputTokens: base.inputTokens + (jsonNumber(tokens.input) ?? 0),
    outputTokens:
      base.outputTokens + (jsonNumber(tokens.output) ?? 0) + (jsonNumber(tokens.reasoning) ?? 0),
    cacheReadTokens: base.cacheReadTokens + (jsonNumber(cache.read) ?? 0),
    cacheWriteTokens: base.cacheWriteTokens + (jsonNumber(cache.write) ?? 0),
    costUsd: base.costUsd === null ? null : base.costUsd + (cost ?? 0),
  };
}

/** One line saying what an OpenCode tool call is about: its file, command, pattern or URL. */
export function opencodeToolSummary(
  tool: string,
  input: JsonObject,
  title: string | null = null,
  display: (path: string) => string = (path) => path,
): string {
  const path = jsonString(input.filePath);
  if (path) return display(path);
  switch (tool) {
    case 'bash':
      return jsonString(input.command) ?? '';
    case 'glob':
    case 'grep': {
      const pattern = jsonString(input.pattern) ?? '';
      const where = jsonString(input.path);
      return where ? `${pattern} in ${display(where)}` : pattern;
    }
    case 'list':
      return display(jsonString(input.path) ?? '.');
    case 'webfetch':
      return jsonString(input.url) ?? '';
    case 'task':
      return jsonString(input.description) ?? '';
    case 'todowrite':
      return Array.isArray(input.todos) ? `${input.todos.length} todos` : '';
    default: {
      if (title) return title;
      const json = JSON.stringify(input);
      return json === '{}' ? '' : json;
    }
  }
}
