/**
 * The OpenAPI document at /api/openapi.json, generated from the same zod schemas that validate
 * requests, so the two cannot drift.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  AgentEntrySchema,
  AgentNameParams,
  AgentViewSchema,
  AuditPageSchema,
  AuditQuery,
  CreatedTokenSchema,
  CreateTokenBody,
  MeSchema,
  TokenIdParams,
  TokenSchema,
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
  ApprovalDecisionSchema,
  BudgetSchema,
  CheckpointDiffSchema,
  CheckpointListSchema,
  ControlResultSchema,
  DecisionBody,
  DiffQuery,
  ForkBody,
  RetryBody,
  RewoundSessionSchema,
  SessionTreeSchema,
} from './schemas.js';
import { annotateAccess } from './roles-openapi.js';
import { createPermissionTable } from './roles.js';

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
    summary:
      'Run a failed or cancelled session again; or, with a checkpoint, rewind it there (any status)',
    description:
      'With `checkpoint` (one of the session’s own, not a task’s) the session workflow is reset ' +
      'to the workflow task that received that step’s result: a new run replays the history ' +
      'up to there and reruns what followed, starting from the checkpoint’s commit; the ' +
      'current run is terminated and its history kept. Signals and updates sent after the ' +
      'checkpoint are not reapplied.',
    security,
    request: {
      params: SessionIdParams,
      body: { required: false, content: { 'application/json': { schema: RetryBody } } },
    },
    responses: {
      201: json('A new run started (with resetTo when rewound)', RewoundSessionSchema),
      404: problem('Unknown session, or no such checkpoint (errors names body.checkpoint)'),
      409: problem('Not failed or cancelled (without a checkpoint); a task’s checkpoint'),
      503: problem('No worker answered the state query'),
      ...common,
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/sessions/{id}/fork',
    summary: 'Start a new session from a checkpoint’s commit, linked to its origin',
    description:
      'Any checkpoint with a commit, a task’s too. The fork runs the origin’s goal, repository, ' +
      'plan, budget and approvals (the agent replaced when given); its detail has forkedFrom.',
    security,
    request: {
      params: SessionIdParams,
      body: { content: { 'application/json': { schema: ForkBody } } },
    },
    responses: {
      201: json('The fork', SessionDetailSchema),
      400: problem('Invalid input, or an unknown agent'),
      404: problem('Unknown session, or no such checkpoint'),
      409: problem('The checkpoint has no commit'),
      503: problem('No worker answered the state query'),
      ...common,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/sessions/{id}/tree',
    summary: 'The task tree: every node with status, agent, usage (own and subtree) and times',
    security,
    request: { params: SessionIdParams },
    responses: {
      200: json('The tree, nodes nested by path', SessionTreeSchema),
      404: problem('Unknown session'),
      503: problem('No worker answered the state query'),
      ...common,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/sessions/{id}/checkpoints',
    summary: 'Every checkpoint of the tree, with the hash chain and workflow history verified',
    description:
      'verification.links has one entry per checkpoint: a broken hash link, a gap, or an agent ' +
      'step whose result digest is not in its workflow’s history is reported there, not hidden.',
    security,
    request: { params: SessionIdParams },
    responses: {
      200: json('Checkpoints and their verification', CheckpointListSchema),
      404: problem('Unknown session'),
      503: problem('No worker answered the state query'),
      ...common,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/sessions/{id}/diff',
    summary: 'The diff a checkpoint’s commit introduced',
    security,
    request: { params: SessionIdParams, query: DiffQuery },
    responses: {
      200: json(
        'The patch and changed files (empty when the step changed nothing)',
        CheckpointDiffSchema,
      ),
      400: problem('Bad query'),
      404: problem('Unknown session, or no such checkpoint'),
      503: problem('This gateway cannot read the workspaces directory'),
      ...common,
    },
  });
  const decision = (verb: 'approve' | 'reject', summary: string) =>
    registry.registerPath({
      method: 'post',
      path: `/api/sessions/{id}/${verb}`,
      summary,
      description:
        'Decides the gate the session waits at (GET /api/sessions/{id} lists `pending`); the ' +
        'decision is recorded with the caller’s token name as `by`.',
      security,
      request: {
        params: SessionIdParams,
        body: { required: false, content: { 'application/json': { schema: DecisionBody } } },
      },
      responses: {
        200: json('The decision as recorded', ApprovalDecisionSchema),
        404: problem('Unknown session'),
        409: problem('Nothing waits, several gates wait (name one), or the session is closed'),
        503: problem('No worker took the update in time'),
        ...common,
      },
    });
  decision('approve', 'Approve what the session waits for (a plan, a merge)');
  decision('reject', 'Reject what the session waits for; the session fails (or stops at a budget)');
  for (const kind of ['pause', 'resume'] as const) {
    registry.registerPath({
      method: 'post',
      path: `/api/sessions/{id}/${kind}`,
      summary:
        kind === 'pause'
          ? 'Pause: no new step starts anywhere in the tree (running ones finish)'
          : 'Resume a paused session',
      security,
      request: { params: SessionIdParams },
      responses: {
        202: json(
          'Signalled; status is the one before the session acted on it',
          ControlResultSchema,
        ),
        404: problem('Unknown session'),
        409: problem('The session is closed'),
        ...common,
      },
    });
  }
  registry.registerPath({
    method: 'put',
    path: '/api/sessions/{id}/budget',
    summary: 'Replace the budget (absent limits: none); a session waiting at its budget goes on',
    security,
    request: {
      params: SessionIdParams,
      body: { content: { 'application/json': { schema: BudgetSchema } } },
    },
    responses: {
      200: json('The budget now in force', BudgetSchema),
      400: problem('Invalid budget'),
      404: problem('Unknown session'),
      409: problem('The session is closed'),
      503: problem('No worker took the update in time'),
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
    summary: 'The agent registry, each agent with its measured tier, availability and load',
    security,
    responses: { 200: json('Agents', z.object({ items: z.array(AgentViewSchema) })), ...common },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/agents/{name}',
    summary: 'One agent with its measured tier, availability and load',
    security,
    request: { params: AgentNameParams },
    responses: {
      200: json('The agent', AgentViewSchema),
      404: problem('Unknown agent'),
      ...common,
    },
  });
  const agentBody = {
    body: { content: { 'application/json': { schema: AgentEntrySchema } } },
  };
  registry.registerPath({
    method: 'post',
    path: '/api/agents',
    summary: 'Register an agent (validated like an AGENTS_FILE entry; secrets refused)',
    security,
    request: agentBody,
    responses: {
      201: json('The agent', AgentViewSchema),
      400: problem('Invalid entry; `errors` names the field'),
      409: problem('An agent of that name exists'),
      ...common,
    },
  });
  registry.registerPath({
    method: 'put',
    path: '/api/agents/{name}',
    summary: 'Replace an agent’s entry (workers pick it up within AGENT_REFRESH_MS)',
    security,
    request: { params: AgentNameParams, ...agentBody },
    responses: {
      200: json('The agent', AgentViewSchema),
      400: problem('Invalid entry, or a different name'),
      404: problem('Unknown agent'),
      ...common,
    },
  });
  registry.registerPath({
    method: 'delete',
    path: '/api/agents/{name}',
    summary: 'Remove an agent (workers stop polling its queue)',
    security,
    request: { params: AgentNameParams },
    responses: {
      204: { description: 'Removed' },
      404: problem('Unknown agent'),
      ...common,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/config',
    summary: 'What the console needs to know about this gateway',
    responses: { 200: json('Configuration', ConfigSchema) },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/openapi.json',
    summary: 'This document',
    responses: {
      200: {
        description: 'The OpenAPI 3.1 document',
        content: { 'application/json': { schema: { type: 'object' } } },
      },
    },
  });

  registry.registerPath({
    method: 'get',
    path: '/api/me',
    summary: 'Who the token belongs to and its role',
    security,
    responses: { 200: json('The caller', MeSchema), ...common },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/tokens',
    summary: 'Every API token, live and revoked (never the secret)',
    security,
    responses: {
      200: json('Tokens, newest first', z.object({ items: z.array(TokenSchema) })),
      ...common,
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/tokens',
    summary: 'Create an API token with a role; the secret is in this answer only',
    security,
    request: { body: { content: { 'application/json': { schema: CreateTokenBody } } } },
    responses: {
      201: json('The token, with its secret', CreatedTokenSchema),
      400: problem('Invalid name or role'),
      ...common,
    },
  });
  registry.registerPath({
    method: 'delete',
    path: '/api/tokens/{id}',
    summary: 'Revoke an API token (it stops working at once)',
    security,
    request: { params: TokenIdParams },
    responses: {
      204: { description: 'Revoked' },
      404: problem('Unknown token'),
      409: problem('Already revoked, or the last live admin token'),
      ...common,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/audit',
    summary: 'The audit trail, newest first: who did what to which thing, when',
    security,
    request: { query: AuditQuery },
    responses: {
      200: json('A page of events; pass nextBefore as before for the next', AuditPageSchema),
      400: problem('Bad query'),
      ...common,
    },
  });

  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Industrial Orchestrator API',
      version,
      description:
        'Start, watch, stop and retry coding-agent sessions; read their task trees and ' +
        'checkpoints, decide their approval gates, rewind and fork them. Errors are RFC 9457 problem details. ' +
        'Each operation names the least role it needs in x-required-role (viewer < operator < admin).',
    },
  });
  return annotateAccess(document, createPermissionTable());
}
