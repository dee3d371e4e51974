/**
 * The OpenAPI document at /api/openapi.json, generated from the same zod schemas that validate
 * requests, so the two cannot drift.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  AgentSchema,
  ConfigSchema,
  CreateSessionBody,
  ListSessionsQuery,
  LogPageSchema,
  LogsQuery,
  ProblemSchema,
  SessionDetailSchema,
  SessionIdParams,
  SessionPageSchema,
  SessionStatusSchema,
  StopQuery,
} from './schemas.js';

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});
const json = (description: string, schema: z.ZodType) => ({
  description,
  content: { 'application/json': { schema } },
});

export function buildOpenApiDocument(
  version: string,
): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  const security = [{ bearer: [] }];
  const common = { 401: problem('Missing or invalid API token (when required)') };

  registry.registerPath({
    method: 'post',
    path: '/api/sessions',
    summary: 'Start a session',
    security,
    request: { body: { content: { 'application/json': { schema: CreateSessionBody } } } },
    responses: {
      201: json('The session was started', SessionDetailSchema),
      400: problem('Invalid input; `errors` names each bad field'),
      ...common,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/sessions',
    summary: 'List sessions, newest first, with cursor paging',
    security,
    request: { query: ListSessionsQuery },
    responses: {
      200: json('A page of sessions', SessionPageSchema),
      400: problem('Bad query'),
      ...common,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/sessions/{id}',
    summary: 'One session with its checkpoints',
    security,
    request: { params: SessionIdParams },
    responses: {
      200: json('The session', SessionDetailSchema),
      404: problem('Unknown session'),
      ...common,
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/sessions/{id}/stop',
    summary: 'Stop (cancel) a session; force=true terminates it',
    security,
    request: { params: SessionIdParams, query: StopQuery },
    responses: {
      202: json('Stop requested', z.object({ id: z.string(), status: SessionStatusSchema })),
      404: problem('Unknown session'),
      409: problem('The session already finished'),
      ...common,
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/sessions/{id}/retry',
    summary: 'Run a failed or cancelled session again',
    security,
    request: { params: SessionIdParams },
    responses: {
      201: json('A new run started', SessionDetailSchema),
      404: problem('Unknown session'),
      409: problem('The session is not failed or cancelled'),
      ...common,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/sessions/{id}/logs',
    summary: 'Archived log lines after an id',
    security,
    request: { params: SessionIdParams, query: LogsQuery },
    responses: {
      200: json('Log lines', LogPageSchema),
      404: problem('Unknown session'),
      ...common,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/agents',
    summary: 'Configured agents',
    security,
    responses: { 200: json('Agents', z.object({ items: z.array(AgentSchema) })), ...common },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/config',
    summary: 'What the console needs to know about this gateway',
    responses: { 200: json('Configuration', ConfigSchema) },
  });

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Industrial Orchestrator API',
      version,
      description:
        'Start, watch, stop and retry coding-agent sessions. Errors are RFC 9457 problem details.',
    },
  });
}
