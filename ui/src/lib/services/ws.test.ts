import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeSocket } from '$lib/testing/fake-socket';
import { LiveClient, compareIds, liveUrl, reconnectDelay, type SessionEvent } from './ws';

function setup(options: Partial<ConstructorParameters<typeof LiveClient>[0]> = {}) {
  const sockets: FakeSocket[] = [];
  const states: string[] = [];
  let token = 'first';
  const client = new LiveClient({
    url: () => `ws://console.test/ws?token=${token}`,
    createSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    onStateChange: (state) => states.push(state),
    ...options,
  });
  const latest = () => {
    const socket = sockets[sockets.length - 1];
    if (!socket) throw new Error('no socket was created');
    return socket;
  };
  return { client, sockets, states, latest, setToken: (next: string) => (token = next) };
}

function log(sessionId: string, id: string, line = `line ${id}`) {
  return { type: 'log', sessionId, id, stream: 'stdout', line, ts: 1 };
}

function received(events: SessionEvent[]): string[] {
  return events.map((event) => {
    switch (event.type) {
      case 'log':
        return `log:${event.line.id}`;
      case 'status':
        return `status:${event.id}:${event.status}`;
      case 'subscribed':
        return `subscribed:${event.status}`;
      case 'error':
        return `error:${event.code}`;
    }
  });
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('LiveClient', () => {
  it('connects on the first subscription and subscribes once the socket opens', () => {
    const { client, sockets, latest } = setup();
    expect(sockets).toHaveLength(0);
    client.subscribe('s1', () => {});
    expect(sockets).toHaveLength(1);
    expect(latest().sent).toEqual([]);
    latest().open();
    expect(latest().sent).toEqual([{ type: 'subscribe', sessionId: 's1' }]);
    expect(client.state).toBe('open');
  });

  it('subscribes with the given `after` id and subscribes at once when already open', () => {
    const { client, latest } = setup();
    client.subscribe('s1', () => {}, '100-0');
    latest().open();
    client.subscribe('s2', () => {}, '7-3');
    expect(latest().sent).toEqual([
      { type: 'subscribe', sessionId: 's1', after: '100-0' },
      { type: 'subscribe', sessionId: 's2', after: '7-3' },
    ]);
  });

  it('delivers logs, status and subscribed events to the session listener only', () => {
    const { client, latest } = setup();
    const one: SessionEvent[] = [];
    const two: SessionEvent[] = [];
    client.subscribe('s1', (event) => one.push(event));
    client.subscribe('s2', (event) => two.push(event));
    latest().open();
    latest().receive({ type: 'subscribed', sessionId: 's1', status: 'running' });
    latest().receive(log('s1', '1-0'));
    latest().receive(log('s2', '1-0'));
    latest().receive({ type: 'status', sessionId: 's1', id: '2-0', status: 'completed' });
    expect(received(one)).toEqual(['subscribed:running', 'log:1-0', 'status:2-0:completed']);
    expect(received(two)).toEqual(['log:1-0']);
    expect(one[1]).toEqual({
      type: 'log',
      line: { id: '1-0', stream: 'stdout', line: 'line 1-0', ts: 1 },
    });
  });

  it('re-subscribes after a reconnect with the last id received and drops replayed events', () => {
    const { client, sockets, latest } = setup();
    const events: SessionEvent[] = [];
    client.subscribe('s1', (event) => events.push(event));
    latest().open();
    latest().receive(log('s1', '1-0'));
    latest().receive(log('s1', '1-1'));
    latest().receive({ type: 'status', sessionId: 's1', id: '1-2', status: 'running' });

    latest().drop();
    expect(client.state).toBe('reconnecting');
    vi.advanceTimersByTime(500);
    expect(sockets).toHaveLength(2);
    latest().open();
    expect(latest().sent).toEqual([{ type: 'subscribe', sessionId: 's1', after: '1-2' }]);

    // A server that replays a little too much: ids at or before 1-2 are dropped.
    latest().receive(log('s1', '1-1'));
    latest().receive({ type: 'status', sessionId: 's1', id: '1-2', status: 'running' });
    latest().receive(log('s1', '1-3'));
    latest().receive(log('s1', '1-3'));
    expect(received(events)).toEqual(['log:1-0', 'log:1-1', 'status:1-2:running', 'log:1-3']);
    expect(client.lastId('s1')).toBe('1-3');
  });

  it('compares stream ids numerically, not as strings', () => {
    const { client, latest } = setup();
    const events: SessionEvent[] = [];
    client.subscribe('s1', (event) => events.push(event), '9-0');
    latest().open();
    latest().receive(log('s1', '10-0'));
    latest().receive(log('s1', '9-5'));
    expect(received(events)).toEqual(['log:10-0']);
  });

  it('drops repeated ids that do not compare (not stream ids)', () => {
    const { client, latest } = setup();
    const events: SessionEvent[] = [];
    client.subscribe('s1', (event) => events.push(event));
    latest().open();
    latest().receive(log('s1', 'b7'));
    latest().receive(log('s1', 'a1'));
    latest().receive(log('s1', 'b7'));
    expect(received(events)).toEqual(['log:b7', 'log:a1']);
  });

  it('backs off exponentially while the gateway is down and resets after a success', () => {
    const { client, sockets, latest } = setup({ reconnectBaseMs: 100, maxReconnectMs: 400 });
    client.subscribe('s1', () => {});
    latest().drop(); // never opened
    vi.advanceTimersByTime(99);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    latest().drop();
    vi.advanceTimersByTime(199);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3);
    latest().drop();
    vi.advanceTimersByTime(400);
    expect(sockets).toHaveLength(4);
    latest().drop();
    vi.advanceTimersByTime(400); // capped
    expect(sockets).toHaveLength(5);
    latest().open();
    latest().drop();
    vi.advanceTimersByTime(100); // back to the first delay
    expect(sockets).toHaveLength(6);
  });

  it('does not re-subscribe a session that was unsubscribed', () => {
    const { client, latest } = setup();
    const stop = client.subscribe('s1', () => {});
    client.subscribe('s2', () => {});
    latest().open();
    stop();
    expect(latest().sent.at(-1)).toEqual({ type: 'unsubscribe', sessionId: 's1' });
    latest().drop();
    vi.advanceTimersByTime(500);
    latest().open();
    expect(latest().sent).toEqual([{ type: 'subscribe', sessionId: 's2' }]);
  });

  it('keeps one subscription per session while any listener remains', () => {
    const { client, latest } = setup();
    const a: SessionEvent[] = [];
    const b: SessionEvent[] = [];
    const stopA = client.subscribe('s1', (event) => a.push(event));
    client.subscribe('s1', (event) => b.push(event));
    latest().open();
    expect(latest().sent).toEqual([{ type: 'subscribe', sessionId: 's1' }]);
    stopA();
    expect(latest().sent).toHaveLength(1);
    latest().receive(log('s1', '1-0'));
    expect(a).toHaveLength(0);
    expect(b).toHaveLength(1);
  });

  it('closes the socket a while after the last subscription ends, and not while in use', () => {
    const { client, sockets, latest } = setup({ idleCloseMs: 1000 });
    const stop = client.subscribe('s1', () => {});
    latest().open();
    stop();
    vi.advanceTimersByTime(500);
    client.subscribe('s2', () => {}); // navigating to another session reuses the socket
    vi.advanceTimersByTime(1000);
    expect(latest().closedByClient).toBe(false);
    expect(sockets).toHaveLength(1);
    client.subscribe('s2', () => {})();
    expect(latest().closedByClient).toBe(false);
  });

  it('closes an idle socket and reports idle', () => {
    const { client, latest } = setup({ idleCloseMs: 1000 });
    const stop = client.subscribe('s1', () => {});
    latest().open();
    stop();
    vi.advanceTimersByTime(1000);
    expect(latest().closedByClient).toBe(true);
    expect(client.state).toBe('idle');
  });

  it('pings while open and reconnects a connection that went silent', () => {
    const { client, sockets, latest } = setup({ pingIntervalMs: 1000, staleAfterMs: 2500 });
    client.subscribe('s1', () => {}, '5-0');
    latest().open();
    vi.advanceTimersByTime(1000);
    expect(latest().sent.at(-1)).toEqual({ type: 'ping' });
    latest().receive({ type: 'pong' });
    vi.advanceTimersByTime(2000);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1000); // 3 s without a message
    expect(sockets[0]?.closedByClient).toBe(true);
    vi.advanceTimersByTime(500);
    expect(sockets).toHaveLength(2);
    latest().open();
    expect(latest().sent).toEqual([{ type: 'subscribe', sessionId: 's1', after: '5-0' }]);
  });

  it('reconnect() drops the socket and connects with a fresh URL (a new token)', () => {
    const { client, sockets, latest, setToken } = setup();
    client.subscribe('s1', () => {});
    latest().open();
    latest().receive(log('s1', '3-0'));
    setToken('second');
    client.reconnect();
    expect(sockets[0]?.closedByClient).toBe(true);
    expect(latest().url).toBe('ws://console.test/ws?token=second');
    latest().open();
    expect(latest().sent).toEqual([{ type: 'subscribe', sessionId: 's1', after: '3-0' }]);
  });

  it('ignores events from a socket it already dropped', () => {
    const { client, sockets, latest } = setup();
    const events: SessionEvent[] = [];
    client.subscribe('s1', (event) => events.push(event));
    latest().open();
    const old = latest();
    client.reconnect();
    old.receive(log('s1', '1-0'));
    old.drop();
    expect(events).toHaveLength(0);
    expect(sockets).toHaveLength(2);
  });

  it('reports server errors and ignores malformed frames', () => {
    const errors: { code: string; message: string }[] = [];
    const { client, latest } = setup({ onServerError: (error) => errors.push(error) });
    const events: SessionEvent[] = [];
    client.subscribe('s1', (event) => events.push(event));
    latest().open();
    latest().receive('not json');
    latest().receive({ type: 'log', sessionId: 's1', id: '1-0', stream: 'bogus', line: 'x' });
    latest().receive({ type: 'status', sessionId: 's1', id: '1-1', status: 'exploded' });
    latest().receive({ type: 'mystery' });
    latest().receive({ type: 'error', code: 'not_found', message: 'no session s1' });
    expect(events).toHaveLength(0);
    expect(errors).toEqual([{ code: 'not_found', message: 'no session s1' }]);
  });

  it('reports connection states', () => {
    const { client, states, latest } = setup();
    client.subscribe('s1', () => {});
    latest().open();
    latest().drop();
    vi.advanceTimersByTime(500);
    latest().open();
    client.close();
    expect(states).toEqual(['connecting', 'open', 'reconnecting', 'open', 'idle']);
  });

  it('stops reconnecting after close()', () => {
    const { client, sockets, latest } = setup();
    client.subscribe('s1', () => {});
    latest().drop();
    client.close();
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
    expect(() => client.subscribe('s1', () => {})).toThrow(/closed/);
  });
});

describe('compareIds', () => {
  it('orders Redis stream ids by time, then sequence', () => {
    expect(compareIds('1700000000000-0', '1700000000000-1')).toBe(-1);
    expect(compareIds('1700000000001-0', '1700000000000-9')).toBe(1);
    expect(compareIds('99-0', '100-0')).toBe(-1);
    expect(compareIds('5-2', '5-2')).toBe(0);
    expect(compareIds('007', '7')).toBe(0);
    expect(compareIds('12', '3')).toBe(1);
  });

  it('returns null for ids that are not numeric', () => {
    expect(compareIds('abc', '1-0')).toBeNull();
    expect(compareIds('1-0', 'x')).toBeNull();
  });
});

describe('reconnectDelay', () => {
  it('doubles from the base and stops at the maximum', () => {
    expect([0, 1, 2, 3, 4, 50].map((n) => reconnectDelay(n, 500, 5000))).toEqual([
      500, 1000, 2000, 4000, 5000, 5000,
    ]);
  });
});

describe('liveUrl', () => {
  it('uses ws on http and wss on https, with the token as a query parameter', () => {
    expect(liveUrl({ protocol: 'http:', host: 'localhost:3000' }, null)).toBe(
      'ws://localhost:3000/ws',
    );
    expect(liveUrl({ protocol: 'https:', host: 'orch.example' }, 'a b&c')).toBe(
      'wss://orch.example/ws?token=a%20b%26c',
    );
  });
});

describe('LiveClient subscription errors', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('tells the session listener and subscribes again after a transient error', () => {
    const { client, latest } = setup({ reconnectBaseMs: 100 });
    const events: SessionEvent[] = [];
    client.subscribe('s1', (event) => events.push(event), '4-0');
    latest().open();
    latest().receive({ type: 'error', code: 'internal', sessionId: 's1', message: 'retry' });
    expect(events).toEqual([{ type: 'error', code: 'internal', message: 'retry' }]);
    vi.advanceTimersByTime(200);
    expect(latest().sent).toEqual([
      { type: 'subscribe', sessionId: 's1', after: '4-0' },
      { type: 'subscribe', sessionId: 's1', after: '4-0' },
    ]);
  });

  it('does not subscribe again to a session that does not exist', () => {
    const { client, latest } = setup({ reconnectBaseMs: 100 });
    client.subscribe('gone', () => {});
    latest().open();
    latest().receive({ type: 'error', code: 'not_found', sessionId: 'gone', message: 'no such' });
    vi.advanceTimersByTime(1000);
    expect(latest().sent).toHaveLength(1);
  });
});
