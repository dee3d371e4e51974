import type { ClientMessage, LogLine, ServerMessage, SessionStatus } from '$lib/types/api';
import { isSessionStatus } from '$lib/types/api';

/** The part of the browser's WebSocket the client uses, so tests can pass a fake. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code?: number; reason?: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type SocketFactory = (url: string) => SocketLike;

const OPEN = 1;

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting';

/** What a subscriber of one session hears. */
export type SessionEvent =
  | { type: 'subscribed'; status: SessionStatus }
  | { type: 'log'; line: LogLine }
  | { type: 'status'; id: string; status: SessionStatus; detail?: string }
  | { type: 'error'; code: string; message: string };

export type SessionListener = (event: SessionEvent) => void;

export interface LiveClientOptions {
  /** The URL to connect to, asked again before every (re)connect so a new token is used. */
  url: () => string;
  createSocket?: SocketFactory;
  /** First reconnect delay; doubles on every failed attempt up to maxReconnectMs. */
  reconnectBaseMs?: number;
  maxReconnectMs?: number;
  pingIntervalMs?: number;
  /** Close and reconnect when nothing (not even a pong) arrived for this long. */
  staleAfterMs?: number;
  /** With no subscriptions left, close the socket after this long. */
  idleCloseMs?: number;
  onStateChange?: (state: ConnectionState) => void;
  onServerError?: (error: { code: string; message: string }) => void;
}

interface Subscription {
  sessionId: string;
  /** The last log or status id received; sent as `after` when (re)subscribing. */
  lastId: string | undefined;
  /** Recently delivered ids, for ids that do not compare (not Redis stream ids). */
  seen: Set<string>;
  listeners: Set<SessionListener>;
}

const SEEN_LIMIT = 2000;

/**
 * Orders two ids when both look like Redis stream ids ("1718000000000-3") or plain integers;
 * null when they cannot be compared.
 */
export function compareIds(a: string, b: string): number | null {
  const pattern = /^(\d+)(?:-(\d+))?$/;
  const ma = pattern.exec(a);
  const mb = pattern.exec(b);
  if (!ma || !mb) return null;
  const byTime = compareDigits(ma[1] ?? '0', mb[1] ?? '0');
  if (byTime !== 0) return byTime;
  return compareDigits(ma[2] ?? '0', mb[2] ?? '0');
}

function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

export function reconnectDelay(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 16));
}

/** ws:// or wss:// on the console's own host, with the API token as `?token=`. */
export function liveUrl(
  location: { protocol: string; host: string },
  token: string | null,
): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  return `${scheme}://${location.host}/ws${query}`;
}

function parseMessage(data: unknown): ServerMessage | null {
  if (typeof data !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case 'pong':
      return { type: 'pong' };
    case 'error':
      return {
        type: 'error',
        code: String(message.code ?? 'error'),
        message: String(message.message ?? ''),
        ...(typeof message.sessionId === 'string' ? { sessionId: message.sessionId } : {}),
      };
    case 'subscribed':
      if (typeof message.sessionId !== 'string' || !isSessionStatus(message.status)) return null;
      return { type: 'subscribed', sessionId: message.sessionId, status: message.status };
    case 'status':
      if (
        typeof message.sessionId !== 'string' ||
        typeof message.id !== 'string' ||
        !isSessionStatus(message.status)
      ) {
        return null;
      }
      return {
        type: 'status',
        sessionId: message.sessionId,
        id: message.id,
        status: message.status,
        ...(typeof message.detail === 'string' ? { detail: message.detail } : {}),
      };
    case 'log': {
      const stream = message.stream;
      if (
        typeof message.sessionId !== 'string' ||
        typeof message.id !== 'string' ||
        typeof message.line !== 'string' ||
        (stream !== 'stdout' && stream !== 'stderr' && stream !== 'system')
      ) {
        return null;
      }
      return {
        type: 'log',
        sessionId: message.sessionId,
        id: message.id,
        stream,
        line: message.line,
        ts: typeof message.ts === 'number' ? message.ts : Date.now(),
      };
    }
    default:
      return null;
  }
}

/**
 * One WebSocket to the gateway, shared by every subscription. Reconnects with backoff and, on
 * every (re)connect, re-subscribes each session with the last id it received, dropping anything
 * at or before that id, so a subscriber sees every event once and in order.
 */
export class LiveClient {
  readonly #options: Required<
    Omit<LiveClientOptions, 'onStateChange' | 'onServerError' | 'createSocket'>
  >;
  readonly #createSocket: SocketFactory;
  readonly #onStateChange: (state: ConnectionState) => void;
  readonly #onServerError: (error: { code: string; message: string }) => void;
  readonly #subscriptions = new Map<string, Subscription>();
  #socket: SocketLike | null = null;
  #state: ConnectionState = 'idle';
  #attempt = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #lastMessageAt = 0;
  #disposed = false;

  constructor(options: LiveClientOptions) {
    this.#options = {
      url: options.url,
      reconnectBaseMs: options.reconnectBaseMs ?? 500,
      maxReconnectMs: options.maxReconnectMs ?? 10_000,
      pingIntervalMs: options.pingIntervalMs ?? 20_000,
      staleAfterMs: options.staleAfterMs ?? 45_000,
      idleCloseMs: options.idleCloseMs ?? 5_000,
    };
    this.#createSocket =
      options.createSocket ?? ((url) => new WebSocket(url) as unknown as SocketLike);
    this.#onStateChange = options.onStateChange ?? (() => {});
    this.#onServerError = options.onServerError ?? (() => {});
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** The last id a session's subscriber received, if any. */
  lastId(sessionId: string): string | undefined {
    return this.#subscriptions.get(sessionId)?.lastId;
  }

  /**
   * Listens to one session's events after `after` (everything, when omitted). Returns the
   * function that stops listening.
   */
  subscribe(sessionId: string, listener: SessionListener, after?: string): () => void {
    if (this.#disposed) throw new Error('LiveClient is closed');
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    let subscription = this.#subscriptions.get(sessionId);
    if (!subscription) {
      subscription = { sessionId, lastId: after, seen: new Set(), listeners: new Set() };
      this.#subscriptions.set(sessionId, subscription);
      this.#sendSubscribe(subscription);
    }
    subscription.listeners.add(listener);
    this.#ensureConnected();

    const current = subscription;
    return () => {
      current.listeners.delete(listener);
      if (current.listeners.size > 0 || this.#subscriptions.get(sessionId) !== current) return;
      this.#subscriptions.delete(sessionId);
      this.#send({ type: 'unsubscribe', sessionId });
      if (this.#subscriptions.size === 0) this.#scheduleIdleClose();
    };
  }

  /** Drops the current socket and connects again now (e.g. after the API token changed). */
  reconnect(): void {
    if (this.#disposed) return;
    this.#dropSocket();
    this.#attempt = 0;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    if (this.#subscriptions.size > 0) this.#connect();
    else this.#setState('idle');
  }

  /** Closes for good. */
  close(): void {
    this.#disposed = true;
    clearTimeout(this.#reconnectTimer);
    clearTimeout(this.#idleTimer);
    this.#subscriptions.clear();
    this.#dropSocket();
    this.#setState('idle');
  }

  #ensureConnected(): void {
    if (this.#socket || this.#reconnectTimer !== undefined) return;
    this.#connect();
  }

  #connect(): void {
    this.#reconnectTimer = undefined;
    this.#setState(this.#attempt === 0 ? 'connecting' : 'reconnecting');
    let socket: SocketLike;
    try {
      socket = this.#createSocket(this.#options.url());
    } catch {
      this.#scheduleReconnect();
      return;
    }
    this.#socket = socket;
    socket.onopen = () => {
      if (this.#socket !== socket) return;
      this.#attempt = 0;
      this.#lastMessageAt = Date.now();
      this.#setState('open');
      for (const subscription of this.#subscriptions.values()) this.#sendSubscribe(subscription);
      this.#startPing();
    };
    socket.onmessage = (event) => {
      if (this.#socket !== socket) return;
      this.#lastMessageAt = Date.now();
      this.#handle(event.data);
    };
    socket.onerror = () => {
      // A close event always follows; reconnecting happens there.
    };
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#stopPing();
      if (this.#disposed) return;
      if (this.#subscriptions.size === 0) {
        this.#setState('idle');
        return;
      }
      this.#scheduleReconnect();
    };
  }

  #scheduleReconnect(): void {
    const delay = reconnectDelay(
      this.#attempt,
      this.#options.reconnectBaseMs,
      this.#options.maxReconnectMs,
    );
    this.#attempt += 1;
    this.#setState('reconnecting');
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = setTimeout(() => this.#connect(), delay);
  }

  #scheduleIdleClose(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      if (this.#subscriptions.size > 0) return;
      clearTimeout(this.#reconnectTimer);
      this.#reconnectTimer = undefined;
      this.#dropSocket();
      this.#setState('idle');
    }, this.#options.idleCloseMs);
  }

  #dropSocket(): void {
    const socket = this.#socket;
    this.#socket = null;
    this.#stopPing();
    if (!socket) return;
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = null;
    try {
      socket.close(1000, 'client closed');
    } catch {
      // Closing a socket that never opened may throw in some browsers; it is gone either way.
    }
  }

  #startPing(): void {
    this.#stopPing();
    this.#pingTimer = setInterval(() => {
      const socket = this.#socket;
      if (!socket || socket.readyState !== OPEN) return;
      if (Date.now() - this.#lastMessageAt > this.#options.staleAfterMs) {
        // The connection is silently dead (a sleeping laptop, a dropped proxy): start over.
        this.#dropSocket();
        this.#scheduleReconnect();
        return;
      }
      this.#send({ type: 'ping' });
    }, this.#options.pingIntervalMs);
  }

  #stopPing(): void {
    clearInterval(this.#pingTimer);
    this.#pingTimer = undefined;
  }

  #sendSubscribe(subscription: Subscription): void {
    const message: ClientMessage = { type: 'subscribe', sessionId: subscription.sessionId };
    if (subscription.lastId !== undefined) message.after = subscription.lastId;
    this.#send(message);
  }

  #resubscribeLater(subscription: Subscription): void {
    const socket = this.#socket;
    setTimeout(() => {
      if (
        this.#socket !== socket ||
        this.#subscriptions.get(subscription.sessionId) !== subscription
      ) {
        return;
      }
      this.#sendSubscribe(subscription);
    }, this.#options.reconnectBaseMs * 2);
  }

  #send(message: ClientMessage): void {
    const socket = this.#socket;
    if (!socket || socket.readyState !== OPEN) return;
    socket.send(JSON.stringify(message));
  }

  #setState(state: ConnectionState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#onStateChange(state);
  }

  #handle(data: unknown): void {
    const message = parseMessage(data);
    if (!message) return;
    switch (message.type) {
      case 'pong':
        return;
      case 'error': {
        this.#onServerError({ code: message.code, message: message.message });
        const subscription = message.sessionId && this.#subscriptions.get(message.sessionId);
        if (!subscription) return;
        this.#emit(subscription, { type: 'error', code: message.code, message: message.message });
        // A session that does not exist will not appear; anything else is worth another try.
        if (message.code !== 'not_found') this.#resubscribeLater(subscription);
        return;
      }
      case 'subscribed': {
        const subscription = this.#subscriptions.get(message.sessionId);
        if (subscription) this.#emit(subscription, { type: 'subscribed', status: message.status });
        return;
      }
      case 'status':
      case 'log': {
        const subscription = this.#subscriptions.get(message.sessionId);
        if (!subscription || !this.#accept(subscription, message.id)) return;
        if (message.type === 'log') {
          const { id, stream, line, ts } = message;
          this.#emit(subscription, { type: 'log', line: { id, stream, line, ts } });
        } else {
          const event: SessionEvent = { type: 'status', id: message.id, status: message.status };
          if (message.detail !== undefined) event.detail = message.detail;
          this.#emit(subscription, event);
        }
        return;
      }
    }
  }

  /** True (and remembered) when an id is new for this subscription. */
  #accept(subscription: Subscription, id: string): boolean {
    if (subscription.seen.has(id)) return false;
    if (subscription.lastId !== undefined) {
      const order = compareIds(id, subscription.lastId);
      if (order !== null && order <= 0) return false;
    }
    subscription.lastId = id;
    subscription.seen.add(id);
    if (subscription.seen.size > SEEN_LIMIT) {
      const oldest = subscription.seen.values().next().value;
      if (oldest !== undefined) subscription.seen.delete(oldest);
    }
    return true;
  }

  #emit(subscription: Subscription, event: SessionEvent): void {
    for (const listener of [...subscription.listeners]) listener(event);
  }
}
