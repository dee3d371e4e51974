import { describe, expect, it } from 'vitest';
import { createClaudeStreamParser, toolSummary } from './claude-code-stream.js';
import { eventLines, type AgentEvent } from './events.js';

const WS = '/work/ws';

/** Messages as Claude Code 2.1.332 prints them (trimmed to the fields that matter). */
const init = {
  type: 'system',
  subtype: 'init',
  cwd: WS,
  session_id: 'a213e3c7-0d6d-4348-81e9-479ba0541fc9',
  model: 'claude-sonnet-4-5',
  permissionMode: 'acceptEdits',
};
const writeCall = {
  type: 'assistant',
  message: {
    role: 'assistant',
    content: [
      { type: 'text', text: 'I will create the file.' },
      {
        type: 'tool_use',
        id: 'toolu_1',
        name: 'Write',
        input: { file_path: `${WS}/src/hello.txt`, content: 'hi\n' },
      },
    ],
    usage: { input_tokens: 100, output_tokens: 20 },
  },
  session_id: init.session_id,
};
const writeResult = {
  type: 'user',
  message: {
    role: 'user',
    content: [{ tool_use_id: 'toolu_1', type: 'tool_result', content: 'File created' }],
  },
  tool_use_result: { type: 'create', filePath: `${WS}/src/hello.txt` },
};
const answer = {
  type: 'assistant',
  message: { role: 'assistant', content: [{ type: 'text', text: 'Done: created hello.txt.' }] },
};
const success = {
  type: 'result',
  subtype: 'success',
  is_error: false,
  result: 'Done: created hello.txt.',
  session_id: init.session_id,
  total_cost_usd: 0.001065,
  num_turns: 2,
  api_error_status: null,
  usage: {
    input_tokens: 220,
    cache_creation_input_tokens: 10,
    cache_read_input_tokens: 30,
    output_tokens: 27,
  },
};

function parse(messages: unknown[], resumed = false) {
  const events: AgentEvent[] = [];
  const parser = createClaudeStreamParser({
    workspace: WS,
    resumed,
    emit: (e) => events.push(e),
  });
  const raw: string[] = [];
  for (const message of messages) {
    const line = typeof message === 'string' ? message : JSON.stringify(message);
    if (!parser.push(line)) raw.push(line);
  }
  const lines = events.flatMap(eventLines).map((l) => `${l.stream}: ${l.line}`);
  return { parser, events, lines, raw };
}

describe('Claude Code stream-json', () => {
  it('turns a run into session, text, tool, file and usage events', () => {
    const { parser, lines, raw } = parse([init, writeCall, writeResult, answer, success]);
    expect(lines).toEqual([
      'system: [session] started a213e3c7-0d6d-4348-81e9-479ba0541fc9 (model claude-sonnet-4-5)',
      'stdout: [text] I will create the file.',
      'stdout: [tool] Write src/hello.txt',
      'stdout: [file] created src/hello.txt',
      'stdout: [text] Done: created hello.txt.',
      'stdout: [usage] in=220 out=27 cache_read=30 cache_write=10 cost=$0.001065',
    ]);
    expect(raw).toEqual([]);
    expect(parser.sessionId).toBe(init.session_id);
    expect(parser.model).toBe('claude-sonnet-4-5');
    expect(parser.result).toMatchObject({
      subtype: 'success',
      isError: false,
      text: 'Done: created hello.txt.',
      apiErrorStatus: null,
      numTurns: 2,
      usage: {
        inputTokens: 220,
        outputTokens: 27,
        cacheReadTokens: 30,
        cacheWriteTokens: 10,
        costUsd: 0.001065,
      },
    });
  });

  it('reports edits, failed tools, retries and the API error that ended the run', () => {
    const { parser, lines } = parse([
      init,
      {
        type: 'assistant',
        message: {
          content: [
            { type: 'tool_use', id: 't2', name: 'Edit', input: { file_path: 'README.md' } },
            {
              type: 'tool_use',
              id: 't3',
              name: 'Bash',
              input: { command: 'npm test\nnpm run lint' },
            },
          ],
        },
      },
      {
        type: 'user',
        message: {
          content: [
            { type: 'tool_result', tool_use_id: 't2', content: 'ok' },
            {
              type: 'tool_result',
              tool_use_id: 't3',
              is_error: true,
              content: '<tool_use_error>Permission denied</tool_use_error>',
            },
          ],
        },
      },
      {
        type: 'system',
        subtype: 'api_retry',
        attempt: 1,
        max_retries: 2,
        retry_delay_ms: 509,
        error_status: 529,
        error: 'overloaded',
      },
      {
        type: 'assistant',
        error: 'server_error',
        is_api_error_message: true,
        api_error_status: 500,
        message: { content: [{ type: 'text', text: 'API Error: 500 boom' }] },
      },
      {
        type: 'result',
        subtype: 'success',
        is_error: true,
        result: 'API Error: 500 boom',
        api_error_status: 500,
        usage: { input_tokens: 0, output_tokens: 0 },
        total_cost_usd: 0,
      },
    ]);
    expect(lines.slice(1)).toEqual([
      'stdout: [tool] Edit README.md',
      'stdout: [tool] Bash npm test ⏎ npm run lint',
      'stdout: [file] modified README.md',
      'stdout: [tool-failed] Bash: Permission denied',
      'stderr: [retry] model API 529 (overloaded); retry 1/2 in 0.5s',
      'stderr: [error] API Error: 500 boom',
      'stdout: [usage] in=0 out=0 cache_read=0 cache_write=0 cost=$0',
    ]);
    expect(parser.result).toMatchObject({ isError: true, apiErrorStatus: 500 });
    expect(parser.lastApiError).toEqual({ status: 500, message: 'API Error: 500 boom' });
    expect(parser.rejectedCredentials).toBeNull();
  });

  it('notices rejected credentials from the first retry', () => {
    const { parser } = parse([
      { type: 'system', subtype: 'api_retry', error_status: 401, error: 'authentication_failed' },
    ]);
    expect(parser.rejectedCredentials).toEqual({ status: 401, error: 'authentication_failed' });
  });

  it('leaves lines that are not stream-json messages to the caller and ignores unknown types', () => {
    const { raw, events } = parse([
      'warning: something plain',
      '{not json',
      '{"type":"rate_limit_event","info":{}}',
      '[1,2]',
    ]);
    expect(raw).toEqual(['warning: something plain', '{not json', '[1,2]']);
    expect(events).toEqual([]);
  });

  it('summarises tool inputs by what they touch', () => {
    expect(
      toolSummary('Grep', { pattern: 'TODO', path: '/w/src' }, (p) => p.replace('/w/', '')),
    ).toBe('TODO in src');
    expect(toolSummary('WebFetch', { url: 'https://x.test' })).toBe('https://x.test');
    expect(toolSummary('TodoWrite', { todos: [1, 2] })).toBe('2 todos');
    expect(toolSummary('Custom', { a: 1 })).toBe('{"a":1}');
    expect(toolSummary('Custom', {})).toBe('');
  });
});
