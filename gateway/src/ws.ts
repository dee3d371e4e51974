/**
 * WebSocket endpoint /ws: live logs and status events per session, resumable by entry id.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from 'pino';
import type { BusEntry, LogBus } from '@orchestrator/activities/logs/types';
import type { WebSocketAdmission } from './auth-websocket.js';
import { ClientMessageSchema, type ServerMessage } from './ws-messages.js';
import type { SessionService } from './sessions/service.js';
import { deriveStatus } from './sessions/status.js';
import { HttpProblem } from './problem.js';
import type { GatewayMetrics } from './metrics.js';

export interface WsOptions {
  server: Server;
  bus: LogBus;
  sessions: SessionService;
  /** Origin, token and role check of an upgrade: the problem to answer, or null to upgrade. */
  admit: WebSocketAdmission;
  logger: Logger;
  metrics: GatewayMetrics;
}

/** A socket that cannot keep up this far behind is closed rather than buffering without bound. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
const MAX_FRAME_BYTES = 64 * 1024;
/** Frames received but not yet answered, per socket: a flood beyond this closes the socket. */
const MAX_PENDING_BYTES = 4 * 1024 * 1024;

export function toServerMessage(entry: BusEntry): ServerMessage {
  if (entry.kind === 'log') {
    return {
      type: 'log',
      sessionId: entry.sessionId,
      id: entry.id,
      stream: entry.stream,
      line: entry.line,
      ts: entry.ts,
    };
  }
  return {
    type: 'status',
    sessionId: entry.sessionId,
    id: entry.id,
    status: entry.status,
    ...(entry.detail ? { detail: entry.detail } : {}),
    ts: entry.ts,
  };
}

export function attachWebSocket(options: WsOptions): { close(): Promise<void> } {
  const { logger, metrics } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://gateway');
    if (url.pathname !== '/ws') {
      socket.destroy();
      return;
    }
    void options.admit(request).then(
      (problem) => {
        if (problem) {
          socket.end(
            `HTTP/1.1 ${problem.status} ${problem.title}\r\nContent-Type: application/problem+json\r\nConnection: close\r\n\r\n` +
              JSON.stringify(problem),
          );
          return;
        }
        wss.handleUpgrade(request, socket, head, (ws) =>
          wss.emit('connection', ws, request, socket),
        );
      },
      (error: unknown) => {
        logger.error({ err: error }, 'WebSocket admission failed');
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
      },
    );
  };

  wss.on('connection', (ws: WebSocket, _request: IncomingMessage, socket: Duplex) => {
    metrics.wsConnections.inc();
    const subscriptions = new Map<string, () => void>();
    // Frames sent in one tick (a bus read delivers up to a thousand entries at once) leave in
    // one write: the socket is corked on the tick's first frame and uncorked after it. One
    // write per frame was the gateway's largest cost at high log rates (the bench's profile:
    // 16 % in writev). The frames themselves stay one message each.
    let corked = false;
    let sentInTick = 0;
    const uncork = () => {
      corked = false;
      metrics.wsMessages.inc({ direction: 'out' }, sentInTick);
      sentInTick = 0;
      socket.uncork();
    };
    const send = (message: ServerMessage) => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        ws.close(1013, 'Client too slow; reconnect and resume from the last id');
        return;
      }
      if (!corked) {
        corked = true;
        socket.cork();
        process.nextTick(uncork);
      }
      sentInTick += 1;
      ws.send(JSON.stringify(message));
    };

    // Frames are handled one after another, so replies come in the order of the frames and an
    // unsubscribe cannot overtake the subscribe before it (a subscribe awaits Temporal).
    let queue = Promise.resolve();
    let pendingBytes = 0;
    ws.on('message', (data: Buffer, isBinary) => {
      metrics.wsMessages.inc({ direction: 'in' });
      pendingBytes += data.length;
      if (pendingBytes > MAX_PENDING_BYTES) {
        ws.close(
          1008,
          'Too many frames waiting for an answer; wait for replies before sending more',
        );
        return;
      }
      const text = data.toString();
      queue = queue
        .then(() => handle(text, isBinary))
        .catch((error: unknown) => logger.error({ err: error }, 'websocket frame failed'))
        .finally(() => {
          pendingBytes -= data.length;
        });
    });

    async function handle(text: string, isBinary: boolean): Promise<void> {
      let raw: unknown;
      try {
        if (isBinary) throw new Error('binary frame');
        raw = JSON.parse(text);
      } catch {
        send({ type: 'error', code: 'bad_message', message: 'Frames must be JSON text.' });
        return;
      }
      const parsed = ClientMessageSchema.safeParse(raw);
      if (!parsed.success) {
        const where = parsed.error.issues.map((i) => i.path.join('.') || 'type').join(', ');
        send({
          type: 'error',
          code: 'bad_message',
          message: `Invalid message (${where}): expected {type:"subscribe",sessionId,after?}, {type:"unsubscribe",sessionId} or {type:"ping"}.`,
        });
        return;
      }
      const message = parsed.data;
      if (message.type === 'ping') {
        send({ type: 'pong' });
        return;
      }
      if (message.type === 'unsubscribe') {
        subscriptions.get(message.sessionId)?.();
        subscriptions.delete(message.sessionId);
        send({ type: 'unsubscribed', sessionId: message.sessionId });
        return;
      }
      const { sessionId, after } = message;
      try {
        const info = await options.sessions.describe(sessionId);
        // Closed while Temporal answered: a subscription now would outlive the socket.
        if (ws.readyState !== ws.OPEN) return;
        subscriptions.get(sessionId)?.();
        send({ type: 'subscribed', sessionId, status: deriveStatus(info) });
        const unsubscribe = options.bus.subscribe(sessionId, after, (entry) =>
          send(toServerMessage(entry)),
        );
        subscriptions.set(sessionId, unsubscribe);
      } catch (error) {
        if (error instanceof HttpProblem && error.status === 404) {
          send({ type: 'error', code: 'not_found', sessionId, message: error.detail });
          return;
        }
        logger.error({ err: error, sessionId }, 'subscribe failed');
        send({
          type: 'error',
          code: 'internal',
          sessionId,
          message: 'Subscription failed; retry.',
        });
      }
    }

    ws.on('close', () => {
      metrics.wsConnections.dec();
      for (const unsubscribe of subscriptions.values()) unsubscribe();
      subscriptions.clear();
    });
    ws.on('error', (error) => logger.warn({ err: error }, 'websocket error'));
  });

  options.server.on('upgrade', onUpgrade);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        options.server.off('upgrade', onUpgrade);
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}
