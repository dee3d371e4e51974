/**
 * A gateway that requires API tokens (as it does when it listens beyond loopback).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testAgents } from './support/agents.js';
import { startStack, type Stack } from './support/stack.js';
import { TestSocket } from './support/ws-client.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ agents: testAgents, auth: true, worker: 'none' });
});
afterAll(async () => {
  await stack?.stop();
});

describe('API tokens', () => {
  it('answers 401 problem+json without a token or with a wrong one', async () => {
    const none = await fetch(`${stack.baseUrl}/api/sessions`);
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    const wrong = await fetch(`${stack.baseUrl}/api/sessions`, {
      headers: { authorization: 'Bearer io_definitely-not-a-token' },
    });
    expect(wrong.status).toBe(401);
    const post = await fetch(`${stack.baseUrl}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(post.status).toBe(401);
  });

  it('accepts a valid token', async () => {
    expect(stack.token).toMatch(/^io_/);
    const response = await stack.api('/api/sessions');
    expect(response.status).toBe(200);
  });

  it('keeps health and the console configuration public', async () => {
    expect((await fetch(`${stack.baseUrl}/healthz`)).status).toBe(200);
    const config = (await (await fetch(`${stack.baseUrl}/api/config`)).json()) as {
      authRequired: boolean;
    };
    expect(config.authRequired).toBe(true);
  });

  it('refuses a WebSocket upgrade without a valid token and accepts ?token=', async () => {
    await expect(TestSocket.open(stack.wsUrl)).rejects.toThrow(/401/);
    await expect(TestSocket.open(`${stack.wsUrl}?token=io_wrong`)).rejects.toThrow(/401/);
    const socket = await TestSocket.open(`${stack.wsUrl}?token=${stack.token}`);
    socket.send({ type: 'ping' });
    await socket.waitFor((m) => m.type === 'pong');
    await socket.close();
  });

  it('stores tokens hashed, never in plain text', async () => {
    const rows = await stack.storage.db.selectFrom('api_tokens').select(['token_hash']).execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((r) => r.token_hash)).not.toContain(stack.token);
  });
});
