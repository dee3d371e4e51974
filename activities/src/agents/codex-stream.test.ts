import { describe, expect, it } from 'vitest';
import { createCodexStreamParser, shellCommand, type CodexTokenCounts } from './codex-stream.js';
import { eventLines, type AgentEvent } from './events.js';

const WS = '/work/ws';
const THREAD = '01a21c01-ce31-79d1-8592-f9203716d11e';

/** Lines as `codex exec --json` 0.169.0 printed them against the scripted model. */
const lines = {
  started: { type: 'thread.started', thread_id: THREAD },
  turn: { type: 'turn.started' },
  commandStarted: {
    type: 'item.started',
    item: {
      id: 'item_0',
      type: 'command_execution',
      command: `/bin/bash -lc "printf 'Hello\\\\n' > hello.txt && echo done"`,
      aggregated_output: '',
      exit_code: null,
      status: 'in_progress',
    },
  },
  commandDone: {
    type: 'item.completed',
    item: {
      id: 'item_0',
      type: 'command_execution',
      command: `/bin/bash -lc "printf 'Hello\\\\n' > hello.txt && echo done"`,
      aggregated_output: 'done\n',
      exit_code: 0,
      status: 'completed',
    },
  },
  message: {
    type: 'item.completed',
    item: { id: 'item_1', type: 'agent_message', text: 'Created hello.txt with a greeting.' },
  },
  completed: {
    type: 'turn.completed',
    usage: {
      input_tokens: 220,
      cached_input_tokens: 0,
      cache_write_input_tokens: 0,
      output_tokens: 27,
      reasoning_output_tokens: 0,
    },
  },
};

function parse(input: unknown[], options: { resumed?: boolean; baseline?: CodexTokenCounts } = {}) {
  const events: AgentEvent[] = [];
  const notices: string[] = [];
  const parser = createCodexStreamParser({
    workspace: WS,
    resumed: options.resumed ?? false,
    model: 'gpt-5.5',
    baseline: options.baseline ?? null,
    emit: (event) => events.push(event),
    notice: (message) => notices.push(message),
  });
  const accepted = input.map((line) =>
    parser.push(typeof line === 'string' ? line : JSON.stringify(line)),
  );
  return { parser, events, notices, accepted };
}

const logged = (events: AgentEvent[]) =>
  events.flatMap(eventLines).map(({ stream, line }) => `${stream}: ${line}`);

describe('codex exec --json parser', () => {
  it('turns a thread that runs a command and answers into session, tool, text and usage events', () => {
    const { parser, events, accepted } = parse(Object.values(lines));
    expect(accepted.every(Boolean)).toBe(true);
    expect(logged(events)).toEqual([
      `system: [session] started ${THREAD} (model gpt-5.5)`,
      `stdout: [tool] shell printf 'Hello\\n' > hello.txt && echo done`,
      'stdout: [text] Created hello.txt with a greeting.',
      'stdout: [usage] in=220 out=27 cache_read=0 cache_write=0 cost=unknown',
    ]);
    expect(parser.threadId).toBe(THREAD);
    expect(parser.turnCompleted).toBe(true);
    expect(parser.failure).toBeNull();
    expect(parser.lastMessage).toBe('Created hello.txt with a greeting.');
  });

  it('reports a resumed thread and only what this run added to its totals', () => {
    const { events } = parse(
      [
        lines.started,
        {
          type: 'turn.completed',
          usage: {
            input_tokens: 1440,
            cached_input_tokens: 1000,
            cache_write_input_tokens: 40,
            output_tokens: 54,
          },
        },
      ],
      { resumed: true, baseline: { input: 220, cachedInput: 0, cacheWriteInput: 0, output: 27 } },
    );
    expect(events[0]).toEqual({
      type: 'session',
      agentSessionId: THREAD,
      model: 'gpt-5.5',
      resumed: true,
    });
    // 1220 more input tokens, 1000 of them read from the cache and 40 written to it.
    expect(events[1]).toEqual({
      type: 'usage',
      usage: {
        inputTokens: 180,
        outputTokens: 27,
        cacheReadTokens: 1000,
        cacheWriteTokens: 40,
        costUsd: null,
      },
    });
  });

  it("reports file changes, failed commands, Codex's retries and its notices", () => {
    const { events, notices } = parse([
      {
        type: 'item.completed',
        item: {
          id: 'item_0',
          type: 'error',
          message: 'Model metadata for `gpt-test` not found. Defaulting to fallback metadata.',
        },
      },
      {
        type: 'item.completed',
        item: {
          id: 'item_1',
          type: 'file_change',
          changes: [
            { path: `${WS}/src/app.ts`, kind: 'update' },
            { path: `${WS}/NEW.md`, kind: 'add' },
            { path: '/elsewhere/old.txt', kind: 'delete' },
          ],
          status: 'completed',
        },
      },
      {
        type: 'item.completed',
        item: {
          id: 'item_2',
          type: 'command_execution',
          command: "/bin/bash -lc 'npm test'",
          aggregated_output: 'running\n1 failing\n',
          exit_code: 1,
          status: 'failed',
        },
      },
      {
        type: 'error',
        message:
          'Reconnecting... 2/5 (exceeded retry limit, last status: 429 Too Many Requests, request id: req-1)',
      },
    ]);
    expect(notices).toEqual([
      'Model metadata for `gpt-test` not found. Defaulting to fallback metadata.',
    ]);
    expect(logged(events)).toEqual([
      'stdout: [tool] apply_patch src/app.ts, NEW.md, /elsewhere/old.txt',
      'stdout: [file] modified src/app.ts',
      'stdout: [file] created NEW.md',
      'stdout: [file] deleted /elsewhere/old.txt',
      // No item.started came for it: the tool call is reported with its outcome.
      'stdout: [tool] shell npm test',
      'stdout: [tool-failed] shell: exit 1: 1 failing',
      'stderr: [retry] exceeded retry limit, last status: 429 Too Many Requests, request id: req-1; retry 2/5',
    ]);
  });

  it('keeps the failure of a failed turn and logs its error once', () => {
    const message = 'exceeded retry limit, last status: 429 Too Many Requests, request id: req-2';
    const { parser, events } = parse([
      lines.started,
      lines.turn,
      { type: 'error', message },
      { type: 'turn.failed', error: { message } },
    ]);
    expect(parser.failure).toBe(message);
    expect(parser.turnCompleted).toBe(false);
    expect(parser.totals).toBeNull();
    expect(events.filter((event) => event.type === 'error')).toEqual([{ type: 'error', message }]);
  });

  it("notices a rejected API key in the first of Codex's reconnects", () => {
    const { parser } = parse([
      {
        type: 'error',
        message:
          'Reconnecting... 1/5 (unexpected status 401 Unauthorized: bad key, url: http://m/v1/responses)',
      },
    ]);
    expect(parser.rejectedCredentials).toEqual({
      status: 401,
      message: 'unexpected status 401 Unauthorized: bad key, url: http://m/v1/responses',
    });
    expect(parse([lines.started]).parser.rejectedCredentials).toBeNull();
  });

  it('leaves lines that are not events to the caller and ignores event types it does not know', () => {
    const { accepted, events } = parse([
      'Reading additional input from stdin...',
      '{"not":"an event"}',
      '{broken json',
      { type: 'item.updated', item: { id: 'x', type: 'todo_list', items: [] } },
      { type: 'thread.archived', thread_id: THREAD },
    ]);
    expect(accepted).toEqual([false, false, false, true, true]);
    expect(events).toEqual([]);
  });

  it("shows the model's command, not Codex's shell wrapper around it", () => {
    expect(shellCommand(`/bin/bash -lc "printf 'Hello\\\\n' > hello.txt"`)).toBe(
      `printf 'Hello\\n' > hello.txt`,
    );
    expect(shellCommand(`/bin/bash -lc 'echo '\\''quoted'\\'' ok'`)).toBe(`echo 'quoted' ok`);
    expect(shellCommand("/usr/bin/zsh -lc 'ls -la'")).toBe('ls -la');
    expect(shellCommand('git status')).toBe('git status');
  });
});
