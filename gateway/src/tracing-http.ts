/**
 * A server span per HTTP request, continuing the caller's trace when it sends W3C
 * `traceparent`: named `<METHOD> <route>` (the Express route pattern, never an id), with the
 * stable HTTP semantic-convention attributes, an error status for 5xx answers.
 *
 * Installed on the Node server rather than as Express middleware, so the span covers the whole
 * request (body parsing, auth, errors) and needs nothing from the app. The request and response
 * emitters are bound to the span's context: body parsing continues in stream callbacks, and
 * without the binding the route handler, and so the Temporal client call, would lose the span.
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

const tracer = trace.getTracer('@orchestrator/gateway');

/** Express sets these on the request it routes. */
interface RoutedRequest extends IncomingMessage {
  baseUrl?: string;
  route?: { path?: unknown };
}

export function traceHttpServer(server: Server): void {
  const listeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  for (const listener of listeners) {
    server.on('request', (req: IncomingMessage, res: ServerResponse) =>
      handleTraced(req, res, listener),
    );
  }
}

function handleTraced(req: RoutedRequest, res: ServerResponse, listener: RequestListener): void {
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'http://gateway');
  const parent = propagation.extract(context.active(), req.headers);
  const span = tracer.startSpan(
    method,
    {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': method,
        'url.path': url.pathname,
        'url.scheme': 'http',
        ...(req.headers['user-agent'] ? { 'user_agent.original': req.headers['user-agent'] } : {}),
      },
    },
    parent,
  );
  const active = trace.setSpan(parent, span);
  context.bind(active, req);
  context.bind(active, res);
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    const route = routeOf(req);
    if (route) {
      span.updateName(`${method} ${route}`);
      span.setAttribute('http.route', route);
    }
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    if (!res.writableFinished) span.setAttribute('error.type', 'aborted');
    span.end();
  };
  res.once('finish', end);
  res.once('close', end);
  context.with(active, () => listener(req, res));
}

/** `/api/sessions` for the router's `/` under `/api/sessions`; null when no route matched. */
function routeOf(req: RoutedRequest): string | null {
  if (typeof req.route?.path !== 'string') return null;
  const route = `${req.baseUrl ?? ''}${req.route.path}`;
  return route.length > 1 ? route.replace(/\/$/, '') : route;
}
