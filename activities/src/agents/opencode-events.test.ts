import { describe, expect, it } from 'vitest';
import type { AgentEvent } from './events.js';
import {
  createOpenCodeEventParser,
  opencodeToolSummary,
  type OpenCodePermissionRequest,
} from './opencode-events.js';

const SESSION = 'ses_main';
const WORKSPACE = '/w/s1';

/** Events shaped like those `opencode serve` 1.18 streams (trimmed to what is read). */
const userMessage = {
  type: 'message.updated',
  properties: { sessionID: SESSION, info: { id: 'msg_user', role: 'user', sessionID: SESSION } },
};
const userText = part({ id: 'prt_u', messageID: 'msg_user', type: 'text', text: 'the goal' });
const busy = status({ type: 'busy' });
const idle = status({ type: 'idle' });

function part(value: Record<string, unknown>, sessionID = SESSION) {
  return { type: 'message.part.updated', properties: { sessionID, part: { ...value, sessionID } } };
}

function status(value: Record<string, unknown>) {
  return { type: 'session.status', properties: { sessionID: SESSION, status: value } };
}

function toolPart(callID: string, state: Record<string, unknown>, tool = 'write') {
  return part({ id: `prt_${callID}`, messageID: 'msg_a1', type: 'tool', tool, callID, state });
}

function stepFinish(id: string, input: number, output: number, cost: number, reasoning = 0) {
  return part({
    id,
    messageID: 'msg_a1',
    type: 'step-finish',
    tokens: { input, output, reasoning, cache: { read: 5, write: 1 } },
    cost,
  });
}

function parse(events: unknown[], options: { priced?: boolean } = {}) {
  const emitted: AgentEvent[] = [];
  const permissions: OpenCodePermissionRequest[] = [];
  const parser = createOpenCodeEventParser({
    sessionID: SESSION,
    workspace: WORKSPACE,
    priced: options.priced ?? true,
    emit: (event) => emitted.push(event),
    onPermission: (request) => permissions.push(request),
    now: () => 1_000_000,
  });
  const progress = events.map((event) => parser.push(event));
  return { parser, emitted, permissions, progress };
}

describe('OpenCode event parser', () => {
  it('turns a write, its answer and two steps into events, usage and the final text', () => {
    const write = { filePath: `${WORKSPACE}/hello.txt`, content: 'hi\n' };
    const { parser, emitted, progress } = parse([
      { type: 'server.connected', properties: {} },
      userMessage,
      userText,
      busy,
      toolPart('c1', { status: 'pending', input: {} }),
      toolPart('c1', { status: 'running', input: write }),
      toolPart('c1', { status: 'completed', input: write, metadata: { exists: false } }),
      stepFinish('sf1', 100, 20, 0.0006),
      part({ id: 'prt_t', messageID: 'msg_a2', type: 'text', text: 'Done', time: { start: 1 } }),
      part({
        id: 'prt_t',
        messageID: 'msg_a2',
        type: 'text',
        text: 'Done.',
        time: { start: 1, end: 2 },
      }),
      stepFinish('sf2', 120, 7, 0.000465, 3),
      { type: 'server.heartbeat', properties: {} },
      idle,
    ]);
    expect(emitted).toEqual([
      { type: 'tool-call', tool: 'write', summary: 'hello.txt' },
      { type: 'file-change', path: 'hello.txt', change: 'created' },
      { type: 'text', text: 'Done.' },
    ]);
    expect(parser.usage).toEqual({
      inputTokens: 220,
      outputTokens: 30,
      cacheReadTokens: 10,
      cacheWriteTokens: 2,
      costUsd: expect.closeTo(0.001065, 9) as number,
    });
    expect(parser.lastText).toBe('Done.');
    expect(parser.idle).toBe(true);
    expect(parser.error).toBeNull();
    // Server-wide events (connection, heartbeats) are no sign of the agent working.
    expect(progress[0]).toBe(false);
    expect(progress.at(-2)).toBe(false);
    expect(progress.at(-1)).toBe(true);
  });

  it('counts no step twice and leaves the cost unknown for an unpriced model', () => {
    const { parser } = parse([stepFinish('sf1', 10, 2, 0), stepFinish('sf1', 10, 2, 0)], {
      priced: false,
    });
    expect(parser.usage).toMatchObject({ inputTokens: 10, outputTokens: 2, costUsd: null });
  });

  it('is idle only after the prompt made the session busy', () => {
    const early = parse([idle, { type: 'session.idle', properties: { sessionID: SESSION } }]);
    expect(early.parser.idle).toBe(false);
    const done = parse([busy, { type: 'session.idle', properties: { sessionID: SESSION } }]);
    expect(done.parser.idle).toBe(true);
  });

  it("reports OpenCode's own model retries and the error that ended the session", () => {
    const { parser, emitted } = parse([
      busy,
      status({ type: 'retry', attempt: 1, message: 'scripted rate limit', next: 1_002_000 }),
      {
        type: 'session.error',
        properties: {
          sessionID: SESSION,
          error: {
            name: 'APIError',
            data: { message: 'scripted rate limit', statusCode: 429, isRetryable: true },
          },
        },
      },
      idle,
    ]);
    expect(emitted).toEqual([
      {
        type: 'retry',
        message: 'model API: scripted rate limit; OpenCode retries (attempt 1, in 2.0s)',
      },
      { type: 'error', message: 'APIError (HTTP 429): scripted rate limit' },
    ]);
    expect(parser.error).toEqual({
      name: 'APIError',
      message: 'scripted rate limit',
      statusCode: 429,
    });
    expect(parser.idle).toBe(true);
  });

  it('reports failed tools, asks about permissions, and follows sub-agent sessions', () => {
    const { parser, emitted, permissions, progress } = parse([
      busy,
      toolPart('c1', { status: 'running', input: { command: 'npm test' } }, 'bash'),
      toolPart('c1', { status: 'error', input: { command: 'npm test' }, error: 'exit 1' }, 'bash'),
      {
        type: 'permission.asked',
        properties: {
          id: 'per_1',
          sessionID: SESSION,
          permission: 'external_directory',
          patterns: ['/etc/*'],
        },
      },
      {
        type: 'session.created',
        properties: { sessionID: 'ses_child', info: { id: 'ses_child', parentID: SESSION } },
      },
      part(
        {
          id: 'prt_c',
          messageID: 'msg_c',
          type: 'tool',
          tool: 'read',
          callID: 'c2',
          state: { status: 'completed', input: { filePath: '/w/s1/a.ts' } },
        },
        'ses_child',
      ),
      part(
        {
          id: 'prt_ct',
          messageID: 'msg_c',
          type: 'text',
          text: 'sub-agent notes',
          time: { end: 1 },
        },
        'ses_child',
      ),
      stepFinish('sf_child', 7, 1, 0.01),
      status({ type: 'busy' }),
      { type: 'session.status', properties: { sessionID: 'ses_other', status: { type: 'idle' } } },
    ]);
    expect(emitted).toEqual([
      { type: 'tool-call', tool: 'bash', summary: 'npm test' },
      { type: 'tool-failed', tool: 'bash', reason: 'exit 1' },
      { type: 'tool-call', tool: 'read', summary: 'a.ts' },
      { type: 'text', text: 'sub-agent notes' },
    ]);
    expect(permissions).toEqual([
      { id: 'per_1', permission: 'external_directory', patterns: ['/etc/*'] },
    ]);
    // A sub-agent's text is not the step's answer; another session's events are not progress.
    expect(parser.lastText).toBeNull();
    expect(parser.usage?.inputTokens).toBe(7);
    expect(progress.at(-1)).toBe(false);
    expect(parser.idle).toBe(false);
  });

  it('does not log the prompt the adapter sent as the agent talking', () => {
    const { emitted } = parse([
      userMessage,
      part({ id: 'prt_u', messageID: 'msg_user', type: 'text', text: 'goal', time: { end: 1 } }),
    ]);
    expect(emitted).toEqual([]);
  });
});

describe('opencodeToolSummary', () => {
  it('names the file, command, pattern or URL a tool call is about', () => {
    const display = (path: string) => path.replace('/w/', '');
    expect(opencodeToolSummary('edit', { filePath: '/w/a.ts' }, null, display)).toBe('a.ts');
    expect(opencodeToolSummary('bash', { command: 'ls -la' })).toBe('ls -la');
    expect(opencodeToolSummary('grep', { pattern: 'TODO', path: '/w/src' }, null, display)).toBe(
      'TODO in src',
    );
    expect(opencodeToolSummary('webfetch', { url: 'https://example.com' })).toBe(
      'https://example.com',
    );
    expect(opencodeToolSummary('todowrite', { todos: [1, 2] })).toBe('2 todos');
    expect(opencodeToolSummary('skill', { name: 'x' }, 'Loaded skill x')).toBe('Loaded skill x');
    expect(opencodeToolSummary('other', { a: 1 })).toBe('{"a":1}');
  });
});
