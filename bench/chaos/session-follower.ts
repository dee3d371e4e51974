/**
 * A WebSocket client that follows one session the way a console tab should: it subscribes, and
 * whenever the socket drops (the gateway was killed) or the gateway could not subscribe it (a
 * dependency was down), it connects again and resubscribes after the last id it saw. It keeps
 * the id of every log entry it received, for the exactly-once check.
 */
import WebSocket from 'ws';
import type { ServerMessage } from '@orchestrator/gateway/ws-messages';

const RETRY_MS = 250;
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export class SessionFollower {
  /** Ids of the log entries received, in arrival order (duplicates included). */
  readonly logIds: string[] = [];
  /** Id of the last entry (log or status) received: where a resubscription resumes. */
  lastId: string | undefined;
  /** Connections after the first one. */
  reconnects = 0;
  /** Subscriptions the gateway refused (and the follower retried). */
  refusals = 0;
  /** The terminal status the stream announced, once it did. */
  terminal: string | null = null;
  private socket: WebSocket | null = null;
  private connections = 0;
  private closing = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    readonly sessionId: string,
    private readonly onLog: (line: string) => void = () => {},
  ) {}

  start(): void {
    this.connect();
  }

  close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    return new Promise((resolve) => {
      if (!socket || socket.readyState === WebSocket.CLOSED) return resolve();
      socket.once('close', () => resolve());
      socket.terminate();
    });
  }

  private connect(): void {
    if (this.closing) return;
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.on('open', () => {
      this.connections += 1;
      if (this.connections > 1) this.reconnects += 1;
      this.subscribe();
    });
    socket.on('message', (data) => this.receive(JSON.parse(data.toString()) as ServerMessage));
    // A refused connection emits error then close; the close schedules the retry.
    socket.on('error', () => {});
    socket.on('close', () => {
      if (this.socket === socket) this.retry(() => this.connect());
    });
  }

  private subscribe(): void {
    if (this.socket?.readyState !== WebSocket.OPEN) return;
    this.socket.send(
      JSON.stringify({
        type: 'subscribe',
        sessionId: this.sessionId,
        ...(this.lastId ? { after: this.lastId } : {}),
      }),
    );
  }

  private receive(message: ServerMessage): void {
    switch (message.type) {
      case 'log':
        this.logIds.push(message.id);
        this.lastId = message.id;
        this.onLog(message.line);
        return;
      case 'status':
        this.lastId = message.id;
        if (TERMINAL.has(message.status)) this.terminal = message.status;
        return;
      case 'error':
        // The gateway could not set the subscription up (Temporal or Redis down): ask again.
        this.refusals += 1;
        this.retry(() => this.subscribe());
        return;
      default:
        return;
    }
  }

  private retry(action: () => void): void {
    if (this.closing) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(action, RETRY_MS);
  }
}
