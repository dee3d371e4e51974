/**
 * An API key planted in an agent's environment never leaves it: a Claude Code session (the real
 * CLI against the scripted model, whose answer repeats the key) runs through the whole stack,
 * and the key is searched for in the four places it could end up: the process logs (gateway,
 * worker, storage at trace level) and the live log stream in Redis; the Postgres log archive;
 * the workflow history (every byte of it); and every API answer and WebSocket message about
 * the session. Each search has a positive control: the redaction marker, or the session id,
 * is found where the key would have been, so a search that looks in the wrong place fails.
 *
 * The activity-level redaction (results, lines, failures) is tested in
 * tests/agents/claude-code.test.ts; this is the end-to-end net.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDACTED } from '@orchestrator/activities/agents/redact';
import { claudeAgent, ensureClaudeCodeCli, TEST_KEY_ENV } from './support/agents-claude-code.js';
import {
  scriptGoal,
  startScriptedModel,
  type ScriptedModel,
} from './support/agents-model-server.js';
import { eventually, startStack, type Stack } from './support/stack.js';
import { TestSocket } from './support/ws-client.js';

const KEY = `sk-ant-planted-${randomBytes(20).toString('hex')}`;

let model: ScriptedModel;
let stack: Stack;
let connection: Connection;
let client: Client;
/** Every line the gateway, the worker and storage logged, at trace level. */
const processLog: string[] = [];

beforeAll(async () => {
  const cli = await ensureClaudeCodeCli();
  model = await startScriptedModel({ apiKey: KEY });
  model.secretToSay = KEY;
  // The in-process worker reads agents' keys from this process's environment.
  process.env[TEST_KEY_ENV] = KEY;
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      processLog.push(chunk.toString());
      done();
    },
  });
  stack = await startStack({
    agents: [claudeAgent('claude', cli, model.url)],
    logger: pino({ level: 'trace' }, capture),
  });
  connection = await Connection.connect({ address: stack.temporal.address });
  client = new Client({ connection });
});
afterAll(async () => {
  await connection?.close();
  await stack?.stop();
  await model?.stop();
  delete process.env[TEST_KEY_ENV];
});

describe('a secret in an agent environment', () => {
  it('appears in no log, archive, workflow history or API answer', async () => {
    const socket = await TestSocket.open(stack.wsUrl);
    const created = await stack.api('/api/sessions', {
      method: 'POST',
      json: {
        title: 'tell the secret',
        goal: scriptGoal('say-secret', 'say what the key is'),
        repository: stack.sampleRepository,
        agent: 'claude',
      },
    });
    expect(created.status).toBe(201);
    const createdText = await created.text();
    const { id } = JSON.parse(createdText) as { id: string };
    socket.send({ type: 'subscribe', sessionId: id });

    const detailText = await eventually(
      async () => {
        const text = await (await stack.api(`/api/sessions/${id}`)).text();
        const status = (JSON.parse(text) as { status: string }).status;
        return ['completed', 'failed', 'cancelled'].includes(status) ? text : undefined;
      },
      90_000,
      `session ${id} to finish`,
    );
    const detail = JSON.parse(detailText) as {
      status: string;
      checkpoints: Array<{ summary: string }>;
    };
    expect(detail.status).toBe('completed');
    // The key reached the model (it answers 401 to any other) and came back in its answer …
    expect(model.requests.length).toBeGreaterThan(0);
    // … which the session shows redacted: the control that the key would be right here.
    expect(detail.checkpoints[0]?.summary).toBe(`Here is what I found: ${REDACTED}`);
    await socket.waitFor((m) => m.type === 'status' && m.status === 'completed');
    await socket.close();

    // 1. Logs: the processes' own, and the live log stream (Redis).
    const logText = processLog.join('');
    expect(logText).toContain(id);
    expect(logText).not.toContain(KEY);
    const live = JSON.stringify(await stack.storage.bus.read(id));
    expect(live).toContain(REDACTED);
    expect(live).not.toContain(KEY);

    // 2. The log archive in Postgres.
    const archived = JSON.stringify(
      await stack.storage.db
        .selectFrom('log_lines')
        .selectAll()
        .where('session_id', '=', id)
        .execute(),
    );
    expect(archived).toContain(REDACTED);
    expect(archived).not.toContain(KEY);

    // 3. Workflow history: every byte, payloads included, as Temporal stores it.
    const history = await client.workflow.getHandle(`session-${id}`).fetchHistory();
    const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
    expect(bytes.includes(REDACTED)).toBe(true);
    expect(bytes.includes(KEY)).toBe(false);
    expect(bytes.includes(Buffer.from(KEY).toString('base64'))).toBe(false);

    // 4. API answers and WebSocket messages about the session.
    const answers = [createdText, detailText, JSON.stringify(socket.messages)];
    for (const path of [
      '/api/sessions',
      `/api/sessions/${id}/logs?limit=5000`,
      '/api/agents',
      '/api/agents/claude',
      '/api/audit',
    ]) {
      const response = await stack.api(path);
      expect(response.status, path).toBe(200);
      answers.push(await response.text());
    }
    expect(answers.join('\n')).toContain(REDACTED);
    for (const answer of answers) expect(answer).not.toContain(KEY);
  });
});
