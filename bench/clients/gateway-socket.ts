/**
 * A client of the gateway's /ws, as the console uses it, built for volume: one socket carries
 * many session subscriptions, and each message goes to a callback with the time it arrived
 * (nothing is kept, so a run of 200,000 lines costs no memory here).
 */
import WebSocket from 'ws';
import type { ServerMessage } from '@orchestrator/gateway/ws-messages';
import { nowMs } from '../core/stats.js';

export type LogMessage = Extract<ServerMessage, { type: 'log' }>;
export type StatusMessage = Extract<ServerMessage, { type: 'status' }>;

export interface Watch {
  onLog?(message: LogMessage, receivedAt: number): void;
  onStatus?(message: StatusMessage, receivedAt: number): void;
  /** The gateway refused the subscription, or the socket failed. */
  onError?(error: Error): void;
}

export class GatewaySocket {
  private readonly watches = new Map<string, Watch>();
  /** Problems seen on this socket: error events, error messages, closes we did not ask for. */
  readonly problems: string[] = [];
  private closing = false;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => this.dispatch(data.toString(), nowMs()));
    socket.on('error', (error) => this.fail(`socket error: ${error.message}`));
    socket.on('close', (code, reason) => {
      if (!this.closing) this.fail(`socket closed by the gateway (${code} ${reason.toString()})`);
    });
  }

  static open(url: string): Promise<GatewaySocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once('open', () => resolve(new GatewaySocket(socket)));
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`WebSocket upgrade to ${url} refused with HTTP ${response.statusCode}`)),
      );
    });
  }

  /** Subscribes from the start of the session's stream; returns the unsubscribe. */
  watch(sessionId: string, watch: Watch): () => void {
    this.watches.set(sessionId, watch);
    this.socket.send(JSON.stringify({ type: 'subscribe', sessionId }));
    return () => {
      if (!this.watches.delete(sessionId)) return;
      if (this.socket.readyState === WebSocket.OPEN) {
        this.socket.send(JSON.stringify({ type: 'unsubscribe', sessionId }));
      }
    };
  }

  close(): Promise<void> {
    this.closing = true;
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }

  private dispatch(text: string, receivedAt: number): void {
    const message = JSON.parse(text) as ServerMessage;
    switch (message.type) {
      case 'log':
        this.watches.get(message.sessionId)?.onLog?.(message, receivedAt);
        return;
      case 'status':
        this.watches.get(message.sessionId)?.onStatus?.(message, receivedAt);
        return;
      case 'error': {
        const problem = `gateway error ${message.code}: ${message.message}`;
        this.problems.push(problem);
        if (message.sessionId) this.watches.get(message.sessionId)?.onError?.(new Error(problem));
        return;
      }
      default:
        return;
    }
  }

  private fail(problem: string): void {
    this.problems.push(problem);
    for (const watch of this.watches.values()) watch.onError?.(new Error(problem));
  }
}
