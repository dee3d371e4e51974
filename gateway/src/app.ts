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
import type { AgentView } from '@orchestrator/activities/agents/agent-overview';
import type { AgentStore } from '@orchestrator/activities/agents/agent-store';
import type { LogBus } from '@orchestrator/activities/logs/types';
import type { SessionOptions } from '@orchestrator/workflows/types';
import type { ApiTokenStore } from '@orchestrator/activities/db/api-tokens';
import type { AuditLog } from '@orchestrator/activities/db/audit-log';
import { createAuditRecorder } from './audit.js';
import { accessControl } from './auth.js';
import { requestLogSerializer } from './auth-log.js';
import { admitWebSocket } from './auth-websocket.js';
import { createMetrics, httpMetricsMiddleware, type GatewayMetrics } from './metrics.js';
import { buildOpenApiDocument } from './openapi.js';
import { answerClientError, notFound, problemMiddleware, sendProblem } from './problem.js';
import { rateLimitMutations, type RateLimiter } from './rate-limit.js';
import { createPermissionTable } from './roles.js';
import { auditRoutes } from './routes/audit.js';
import { agentRoutes } from './routes/agents.js';
import { healthRoutes, metaRoutes, type Readiness } from './routes/meta.js';
import { sessionRoutes } from './routes/sessions.js';
import { tokenRoutes } from './routes/tokens.js';
import { securityHeaders } from './security-headers.js';
import { originGuard, type OriginPolicy } from './security-origin.js';
import type { LogLine } from './sessions/logs.js';
import { checkRepository } from './sessions/repository.js';
import { SessionService } from './sessions/service.js';
import { consoleRoutes } from './static.js';
import { registerAgentMetrics } from './agent-metrics.js';
import { registerTemporalMetrics } from './temporal-metrics.js';
import { attachWebSocket } from './ws.js';

export const GATEWAY_VERSION = '0.1.0';

export interface GatewayDeps {
  client: Client;
  namespace: string;
  temporalWebUrl: string | null;
  bus: LogBus;
  readLogs: (sessionId: string, after: string | undefined, limit: number) => Promise<LogLine[]>;
  /** API tokens: verified on every request when authRequired, managed by admins. */
  tokens: ApiTokenStore;
  /** false turns authentication off (loopback-only gateways): every caller is the local admin. */
  authRequired: boolean;
  audit: Pick<AuditLog, 'record' | 'list'>;
  /** Per-token limit on mutating requests; null for none. */
  rateLimiter: RateLimiter | null;
  /** Origins besides the console's own whose pages may call the API and open /ws. */
  allowedOrigins: string[];
  /** The agent registry (Postgres) and every agent with its live facts. */
  agents: AgentStore;
  describeAgents: () => Promise<AgentView[]>;
  /** After a registry write: lets an in-process worker re-read it at once. */
  onAgentsChanged?: () => void;
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
  registerAgentMetrics({ registry: metrics.registry, describeAgents: deps.describeAgents });
  registerTemporalMetrics({
    registry: metrics.registry,
    client: deps.client,
    namespace: deps.namespace,
    agentNames: async () => (await deps.agents.list()).map((agent) => agent.name),
  });
  const openapi = buildOpenApiDocument(GATEWAY_VERSION);

  const permissions = createPermissionTable();
  const access = { verifier: deps.authRequired ? deps.tokens : null, table: permissions };
  const originPolicy: OriginPolicy = {
    allowedOrigins: deps.allowedOrigins,
    loopbackOnly: !deps.authRequired,
  };
  const audit = createAuditRecorder(deps.audit, deps.logger);

  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders({ uiDir: deps.uiDir }));
  app.set('query parser', 'simple');
  app.use(
    pinoHttp({
      logger: deps.logger,
      // Headers are logged, but never a token.
      serializers: { req: requestLogSerializer },
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
  // Who may call, before any body is read: origin, token and role (roles.ts), then throttling.
  api.use(originGuard(originPolicy));
  api.use(
    accessControl({
      ...access,
      onDenied: (req) =>
        void audit.record(req, 'access.deny', `${req.method} ${req.baseUrl}${req.path}`),
    }),
  );
  if (deps.rateLimiter) api.use(rateLimitMutations(deps.rateLimiter, deps.logger));
  api.use(express.json({ limit: '64kb' }));
  api.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  api.use(
    metaRoutes({
      config: {
        temporalWebUrl: deps.temporalWebUrl,
        namespace: deps.namespace,
        authRequired: deps.authRequired,
        sampleRepository: deps.sampleRepository,
        version: GATEWAY_VERSION,
      },
    }),
  );
  api.use(tokenRoutes({ tokens: deps.tokens, audit, authRequired: deps.authRequired }));
  api.use(auditRoutes({ log: deps.audit }));
  api.use(
    '/sessions',
    sessionRoutes({
      sessions,
      agentExists: async (name) => (await deps.agents.get(name)) !== undefined,
      checkRepository: (repository) => checkRepository(repository, deps.allowedRoots),
      readLogs: deps.readLogs,
      metrics,
      audit,
    }),
  );
  api.use(
    '/agents',
    agentRoutes({
      store: deps.agents,
      describe: deps.describeAgents,
      audit,
      ...(deps.onAgentsChanged ? { changed: deps.onAgentsChanged } : {}),
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
  // What no route took (a POST outside /api, a path under /ws): a problem, not Express's HTML.
  app.use((req, res) => {
    sendProblem(
      res,
      notFound(
        `Nothing at ${req.method} ${req.path}: the API is under /api (see /api/openapi.json).`,
      ),
    );
  });
  app.use(problemMiddleware(deps.logger));

  const server = createServer(app);
  // Requests Node refuses before Express sees them (oversized headers, malformed HTTP).
  server.on('clientError', answerClientError);
  const ws = attachWebSocket({
    server,
    bus: deps.bus,
    sessions,
    admit: admitWebSocket(access, originPolicy),
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
