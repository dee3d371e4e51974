import type { ClientMessage } from '$lib/types/api';
import type { SocketLike } from '$lib/services/ws';

/** A WebSocket stand-in for tests: records what the client sends, plays the server's part. */
export class FakeSocket implements SocketLike {
  readyState = 0;
  sent: ClientMessage[] = [];
  closedByClient = false;
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;

  constructor(readonly url: string) {}

  send(data: string): void {
    this.sent.push(JSON.parse(data) as ClientMessage);
  }

  close(): void {
    this.readyState = 3;
    this.closedByClient = true;
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  receive(message: unknown): void {
    this.onmessage?.({ data: typeof message === 'string' ? message : JSON.stringify(message) });
  }

  /** The server or the network drops the connection. */
  drop(): void {
    this.readyState = 3;
    this.onerror?.({});
    this.onclose?.({ code: 1006, reason: '' });
  }
}
