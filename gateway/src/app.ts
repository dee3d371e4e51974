/**
 * Composition of the gateway: Express for REST, ws for /ws, all wired to injected ports (Temporal
 * client, log bus, log archive, token store), so main.ts, the embedded launcher and the tests
 * build it the same way.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import type { Client } from '@temporalio/client';
import type { AgentConfig } from '@orchestrator/activities/agents/types';
import type { LogBus } from '@orchestrator/activities/logs/types';
import type { SessionOptions } from '@orchestrator/workflows/types';
import { requireToken, type TokenVerifier } from './auth.js';
import { createMetrics, httpMetricsMiddleware, type GatewayMetrics } from './metrics.js';
import { buildOpenApiDocument } from './openapi.js';
import { notFound, problemMiddleware, sendProblem } from './problem.js';
import { healthRoutes, metaRoutes, type Readiness } from './routes/meta.js';
import { sessionRoutes } from './routes/sessions.js';
import type { LogLine } from './sessions/logs.js';
import { checkRepository } from './sessions/repository.js';
import { SessionService } from './sessions/service.js';
import { consoleRoutes } from './static.js';
import { registerTemporalMetrics } from './temporal-metrics.js';
import { attachWebSocket } from './ws.js';

export const GATEWAY_VERSION = '0.1.0';

export interface GatewayDeps {
  client: Client;
  namespace: string;
  temporalWebUrl: string | null;
  bus: LogBus;
  readLogs: (sessionId: string, after: string | undefined, limit: number) => Promise<LogLine[]>;
  /** null turns authentication off (loopback-only gateways). */
  tokens: TokenVerifier | null;
  agents: () => AgentConfig[];
  allowedRoots: string[];
  sampleRepository: string | null;
  sessionOptions: SessionOptions;
  readiness: Readiness[];
  uiDir: string | null;
  logger: Logger;
  metrics?: GatewayMetrics;
}

export interface Gateway {
  app: express.Express;
  server: Server;
  sessions: SessionService;
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

export function createGateway(deps: GatewayDeps): Gateway {
  const metrics = deps.metrics ?? createMetrics();
  const sessions = new SessionService({
    client: deps.client,
    namespace: deps.namespace,
    temporalWebUrl: deps.temporalWebUrl,
    sessionOptions: deps.sessionOptions,
  });
  registerTemporalMetrics({
    registry: metrics.registry,
    client: deps.client,
    namespace: deps.namespace,
    agentNames: () => deps.agents().map((agent) => agent.name),
  });
  const openapi = buildOpenApiDocument(GATEWAY_VERSION);

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(
    pinoHttp({
      logger: deps.logger,
      // A request id per request (or the caller's X-Request-Id), echoed back, in every log line.
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id =
          typeof incoming === 'string' && /^[\w.-]{1,128}$/.test(incoming)
            ? incoming
            : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // Successful requests are routine (the console polls): debug; failures stand out.
      customLogLevel: (_req, res, error) =>
        error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'debug',
    }),
  );
  app.use(httpMetricsMiddleware(metrics));
  app.use(healthRoutes(deps.readiness, metrics.registry));

  const api = express.Router();
  api.use(express.json({ limit: '64kb' }));
  api.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  api.use(
    metaRoutes({
      agents: deps.agents,
      config: {
        temporalWebUrl: deps.temporalWebUrl,
        namespace: deps.namespace,
        authRequired: deps.tokens !== null,
        sampleRepository: deps.sampleRepository,
        version: GATEWAY_VERSION,
      },
    }),
  );
  if (deps.tokens) api.use(requireToken(deps.tokens));
  api.use(
    '/sessions',
    sessionRoutes({
      sessions,
      agentExists: (name) => deps.agents().some((agent) => agent.name === name),
      checkRepository: (repository) => checkRepository(repository, deps.allowedRoots),
      readLogs: deps.readLogs,
      metrics,
    }),
  );
  api.use((req, res) => {
    sendProblem(
      res,
      notFound(`No API route ${req.method} ${req.baseUrl}${req.path}; see /api/openapi.json.`),
    );
  });
  app.use('/api', api);
  app.use(consoleRoutes(deps.uiDir));
  app.use(problemMiddleware(deps.logger));

  const server = createServer(app);
  const ws = attachWebSocket({
    server,
    bus: deps.bus,
    sessions,
    tokens: deps.tokens,
    logger: deps.logger,
    metrics,
  });

  return {
    app,
    server,
    sessions,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve(`http://${shownHost}:${address.port}`);
        });
      }),
    close: async () => {
      await ws.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
