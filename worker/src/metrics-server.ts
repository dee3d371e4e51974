import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface WorkerReadiness {
  ready: boolean;
  /** Each task queue's worker state, e.g. { orchestrator: 'RUNNING', 'agent-demo': 'RUNNING' }. */
  workers: Record<string, string>;
}

/**
 * A standalone worker's HTTP endpoint (the gateway has its own): /metrics for Prometheus,
 * /healthz (the process answers) and /readyz (every worker polls) for Kubernetes probes.
 */
export function serveMetrics(
  registry: Registry,
  port: number,
  host: string,
  readiness: () => WorkerReadiness,
): Promise<Server> {
  const server = createServer((req, res) => {
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    switch (req.url) {
      case '/metrics':
        registry.metrics().then(
          (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
          (error: unknown) =>
            res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error)),
        );
        return;
      case '/healthz':
        json(200, { status: 'ok' });
        return;
      case '/readyz': {
        const state = readiness();
        json(state.ready ? 200 : 503, { status: state.ready ? 'ready' : 'not ready', ...state });
        return;
      }
      default:
        res
          .writeHead(404, { 'content-type': 'text/plain' })
          .end('Try /metrics, /healthz or /readyz.\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
