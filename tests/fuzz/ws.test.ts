/**
 * Property-based fuzzing of /ws over a real socket against a real gateway, Temporal and Redis:
 * random bursts of frames (malformed JSON, wrong types, binary, unknown sessions, valid
 * subscribes and unsubscribes) each get the one reply the protocol promises, in order; the
 * subscriptions the gateway holds on the log bus are exactly the ones the client asked for, and
 * none outlives its socket; floods are answered in full; oversized frames close the socket
 * with 1009 and nothing else. The seed is printed; FUZZ_SEED=<n> replays a run.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogBus } from '@orchestrator/activities/logs/types';
import { testAgents } from '../support/agents.js';
import { eventually, startStack, type Stack } from '../support/stack.js';
import { fuzzSettings } from './seed.js';
import { frameArbitrary, replyMismatch, type Frame } from './ws-frames.js';
import { WsProbe } from './ws-probe.js';

const BURSTS = 80;
const FLOOD_FRAMES = 1_000;
const FRAME_LIMIT_BYTES = 64 * 1024;
const settings = fuzzSettings('ws', 'tests/fuzz/ws.test.ts');

let stack: Stack;
const sessions: string[] = [];
const entryIds: string[] = [];
let framesSent = 0;

/** Watches the gateway's subscriptions on the real log bus (the gateway holds the same object). */
function watchSubscriptions(bus: LogBus): { active(): string[] } {
  const active = new Map<number, string>();
  let next = 0;
  const subscribe = bus.subscribe.bind(bus);
  bus.subscribe = (sessionId, after, onEntry) => {
    const key = next++;
    active.set(key, sessionId);
    const stop = subscribe(sessionId, after, onEntry);
    return () => {
      active.delete(key);
      stop();
    };
  };
  return { active: () => [...active.values()].sort() };
}
let subscriptions: { active(): string[] };

beforeAll(async () => {
  stack = await startStack({ agents: testAgents, worker: 'none' });
  subscriptions = watchSubscriptions(stack.storage.bus);
  for (const title of ['watched', 'quiet']) {
    const response = await stack.api('/api/sessions', {
      method: 'POST',
      json: { title, goal: 'nothing runs', repository: stack.sampleRepository, agent: 'echo' },
    });
    expect(response.status).toBe(201);
    sessions.push(((await response.json()) as { id: string }).id);
  }
  const now = Date.now();
  entryIds.push(
    ...(await stack.storage.bus.append(
      sessions[0]!,
      Array.from({ length: 5 }, (_, i) => ({
        kind: 'log' as const,
        stream: 'stdout' as const,
        line: `line ${i}`,
        ts: now,
      })),
    )),
  );
});

afterAll(async () => {
  await stack?.stop();
});

function sendAll(probe: WsProbe, frames: Frame[]): void {
  for (const frame of frames) probe.send(frame.data, frame.binary);
  framesSent += frames.length;
}

/** Every frame got its reply, in order, and the socket is still open. */
async function expectReplies(probe: WsProbe, frames: Frame[]): Promise<void> {
  await probe.until(() => probe.replies().length >= frames.length, `${frames.length} replies`);
  expect(probe.closed, 'the socket closed on bad input').toBeNull();
  const replies = probe.replies();
  frames.forEach((frame, index) => {
    const mismatch = replyMismatch(frame.expect, replies[index]);
    if (mismatch) {
      throw new Error(
        `frame ${index} ${String(frame.data).slice(0, 200)}${frame.binary ? ' (binary)' : ''}: ${mismatch}`,
      );
    }
  });
  expect(replies.length).toBe(frames.length);
}

/** The subscriptions a client should hold after these frames. */
function expectedSubscriptions(frames: Frame[]): string[] {
  const held = new Set<string>();
  for (const { expect: e } of frames) {
    if (e.type === 'subscribed') held.add(e.sessionId);
    if (e.type === 'unsubscribed') held.delete(e.sessionId);
  }
  return [...held].sort();
}

describe('WebSocket fuzzing', () => {
  it('answers every frame of random bursts once, in order, and holds exactly the asked-for subscriptions', async () => {
    const context = { sessions, entryIds };
    await fc.assert(
      fc.asyncProperty(
        fc.array(frameArbitrary(context), { minLength: 1, maxLength: 40, size: 'max' }),
        async (frames) => {
          const probe = await WsProbe.open(stack.wsUrl);
          try {
            sendAll(probe, frames);
            await expectReplies(probe, frames);
            expect(subscriptions.active()).toEqual(expectedSubscriptions(frames));
          } finally {
            await probe.close();
          }
          // A closed socket leaves no subscription behind on the bus.
          await eventually(
            async () => (subscriptions.active().length === 0 ? true : undefined),
            10_000,
            `no subscriptions after close (still ${subscriptions.active().join(', ')})`,
          );
        },
      ),
      settings.parameters(BURSTS),
    );
  });

  it(`answers a flood of ${FLOOD_FRAMES} frames on one socket in full`, async () => {
    const frames = fc.sample(frameArbitrary({ sessions, entryIds }), {
      seed: settings.seed,
      numRuns: FLOOD_FRAMES * settings.scale,
    });
    const probe = await WsProbe.open(stack.wsUrl);
    sendAll(probe, frames);
    await expectReplies(probe, frames);
    await probe.close();
  });

  it('drops subscriptions of sockets that close while subscribing', async () => {
    for (let i = 0; i < 20; i++) {
      const probe = await WsProbe.open(stack.wsUrl);
      sendAll(
        probe,
        sessions.map((sessionId) => ({
          ...{ data: JSON.stringify({ type: 'subscribe', sessionId }), binary: false },
          expect: { type: 'subscribed' as const, sessionId },
        })),
      );
      probe.socket.terminate();
    }
    await eventually(
      async () => (subscriptions.active().length === 0 ? true : undefined),
      10_000,
      `no subscriptions after abrupt closes (still ${subscriptions.active().length})`,
    );
  });

  it('closes a socket that sends an oversized frame with 1009, and keeps serving others', async () => {
    const atLimit = JSON.stringify({ type: 'ping', pad: '' });
    const padded = JSON.stringify({
      type: 'ping',
      pad: 'x'.repeat(FRAME_LIMIT_BYTES - Buffer.byteLength(atLimit)),
    });
    expect(Buffer.byteLength(padded)).toBe(FRAME_LIMIT_BYTES);
    const fits = await WsProbe.open(stack.wsUrl);
    fits.send(padded);
    await fits.until(() => fits.replies().length > 0, 'pong');
    expect(fits.replies()[0]).toEqual({ type: 'pong' });

    for (const size of [FRAME_LIMIT_BYTES + 1, 1024 * 1024, 8 * 1024 * 1024]) {
      const probe = await WsProbe.open(stack.wsUrl);
      probe.send(`{"type":"ping","pad":"${'x'.repeat(size)}"}`);
      framesSent += 1;
      await probe.until(() => false, 'close', 15_000).catch(() => undefined);
      expect(probe.closed?.code, `frame of ${size} bytes`).toBe(1009);
    }
    fits.send(JSON.stringify({ type: 'ping' }));
    await fits.until(() => fits.replies().length > 1, 'second pong');
    expect(fits.replies()[1]).toEqual({ type: 'pong' });
    await fits.close();
  });

  it('closes a socket whose unanswered frames pile up beyond 4 MB with 1008, and keeps serving others', async () => {
    const probe = await WsProbe.open(stack.wsUrl);
    // Each subscribe waits for Temporal; 60 kB of padding each, sent at once, cannot all wait.
    const padded = JSON.stringify({
      type: 'subscribe',
      sessionId: sessions[0],
      pad: 'x'.repeat(60_000),
    });
    for (let i = 0; i < 200; i++) probe.send(padded);
    framesSent += 200;
    await probe.until(() => false, 'close', 30_000).catch(() => undefined);
    expect(probe.closed?.code).toBe(1008);
    await eventually(
      async () => (subscriptions.active().length === 0 ? true : undefined),
      10_000,
      'no subscriptions after the flood',
    );
    const other = await WsProbe.open(stack.wsUrl);
    other.send(JSON.stringify({ type: 'ping' }));
    await other.until(() => other.replies().length > 0, 'pong');
    expect(other.replies()).toEqual([{ type: 'pong' }]);
    await other.close();
  });

  it(`sent at least ${FLOOD_FRAMES} frames in this run`, () => {
    console.log(`[fuzz] ws: ${framesSent} frames (seed ${settings.seed})`);
    expect(framesSent).toBeGreaterThanOrEqual(FLOOD_FRAMES);
  });
});

describe('answers the fuzzer once got wrong', () => {
  it('answers frames in order, so an unsubscribe right after a subscribe leaves none (seed 1481783515)', async () => {
    const probe = await WsProbe.open(stack.wsUrl);
    const sessionId = sessions[0]!;
    probe.send(JSON.stringify({ type: 'subscribe', sessionId }));
    probe.send(JSON.stringify({ type: 'unsubscribe', sessionId }));
    probe.send(JSON.stringify({ type: 'ping' }));
    await probe.until(() => probe.replies().length >= 3, 'three replies');
    expect(probe.replies().map((reply) => reply.type)).toEqual([
      'subscribed',
      'unsubscribed',
      'pong',
    ]);
    expect(subscriptions.active()).toEqual([]);
    await probe.close();
  });

  it('refuses a resume id beyond any stream id as a bad message, not an internal error', async () => {
    const probe = await WsProbe.open(stack.wsUrl);
    for (const after of ['99999999999999999999-0', '9007199254740992-0', '1-2147483648']) {
      probe.send(JSON.stringify({ type: 'subscribe', sessionId: sessions[0], after }));
    }
    await probe.until(() => probe.replies().length >= 3, 'three replies');
    expect(probe.replies().map((reply) => reply.code)).toEqual([
      'bad_message',
      'bad_message',
      'bad_message',
    ]);
    await probe.close();
  });
});
