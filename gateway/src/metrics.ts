/**
 * The gateway's Prometheus metrics (issue #7 grows this set). Labels stay low-cardinality:
 * routes are Express patterns, never session ids.
 */
import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface GatewayMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  wsConnections: Gauge;
  wsMessages: Counter<'direction'>;
  sessionsStarted: Counter;
}

export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: 'orchestrator_http_requests_total',
      help: 'HTTP requests handled by the gateway',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'orchestrator_http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    wsConnections: new Gauge({
      name: 'orchestrator_ws_connections',
      help: 'Open WebSocket connections',
      registers: [registry],
    }),
    wsMessages: new Counter({
      name: 'orchestrator_ws_messages_total',
      help: 'WebSocket messages by direction',
      labelNames: ['direction'],
      registers: [registry],
    }),
    sessionsStarted: new Counter({
      name: 'orchestrator_sessions_started_total',
      help: 'Sessions started (including retries)',
      registers: [registry],
    }),
  };
}

export function httpMetricsMiddleware(metrics: GatewayMetrics): RequestHandler {
  return (req, res, next) => {
    const end = process.hrtime.bigint();
    res.on('finish', () => {
      const route = req.route?.path
        ? `${req.baseUrl}${String(req.route.path)}`
        : req.path.startsWith('/api')
          ? 'unmatched'
          : 'static';
      const labels = { method: req.method, route, status: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - end) / 1e9);
    });
    next();
  };
}
