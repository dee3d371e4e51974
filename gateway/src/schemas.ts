/**
 * Request and response schemas: one source for validation and for the OpenAPI document.
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { SESSION_STATUSES } from '@orchestrator/workflows/types';

extendZodWithOpenApi(z);

export const SessionIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'Session ids are lowercase letters, digits and dashes')
  .openapi({ example: '7f3k2m9q1x' });

export const SessionIdParams = z.object({ id: SessionIdSchema });

export const SessionStatusSchema = z.enum(SESSION_STATUSES).openapi('SessionStatus');

export const CreateSessionBody = z
  .object({
    title: z.string().trim().min(1, 'Give the session a title').max(200),
    goal: z.string().trim().min(1, 'Describe the goal').max(20_000),
    repository: z
      .string()
      .trim()
      .min(1, 'Name a git URL or an allowed local path')
      .max(1024)
      .openapi({ example: '/path/to/repo' }),
    agent: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,62}$/, 'Agent names are lowercase letters, digits and dashes')
      .openapi({ example: 'demo' }),
  })
  .strict()
  .openapi('CreateSession');
export type CreateSessionBody = z.infer<typeof CreateSessionBody>;

export const ListSessionsQuery = z
  .object({
    status: SessionStatusSchema.optional(),
    cursor: z.string().max(4096).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

export const StopQuery = z.object({ force: z.enum(['true', 'false']).optional() }).strict();

export const LogsQuery = z
  .object({
    after: z
      .string()
      .regex(/^\d{1,20}-\d{1,10}$/, 'Log ids look like <ms>-<seq>')
      .optional(),
    limit: z.coerce.number().int().min(1).max(5000).default(1000),
  })
  .strict();

export const CheckpointSchema = z
  .object({
    seq: z.number().int(),
    agent: z.string(),
    commitSha: z.string().nullable(),
    changed: z.boolean(),
    exitCode: z.number().int(),
    summary: z.string(),
    usage: z
      .object({
        inputTokens: z.number(),
        outputTokens: z.number(),
        cacheReadTokens: z.number(),
        cacheWriteTokens: z.number(),
        costUsd: z.number().nullable(),
      })
      .nullable(),
    startedAt: z.string(),
    finishedAt: z.string(),
  })
  .openapi('Checkpoint');

export const SessionSummarySchema = z
  .object({
    id: z.string(),
    title: z.string(),
    agent: z.string(),
    repository: z.string(),
    status: SessionStatusSchema,
    startedAt: z.string(),
    closedAt: z.string().nullable(),
    workflowId: z.string(),
    runId: z.string(),
    temporalUrl: z.string().nullable(),
    /** From the TokensUsed search attribute: every token of every step so far. */
    tokensUsed: z.number().int(),
  })
  .openapi('SessionSummary');
export type SessionSummary = z.infer<typeof SessionSummarySchema>;

export const SessionDetailSchema = SessionSummarySchema.extend({
  goal: z.string(),
  checkpoints: z.array(CheckpointSchema),
  error: z.string().nullable(),
}).openapi('SessionDetail');
export type SessionDetail = z.infer<typeof SessionDetailSchema>;

export const SessionPageSchema = z
  .object({ items: z.array(SessionSummarySchema), nextCursor: z.string().nullable() })
  .openapi('SessionPage');

export const LogLineSchema = z
  .object({
    id: z.string(),
    stream: z.enum(['stdout', 'stderr', 'system']),
    line: z.string(),
    ts: z.number(),
  })
  .openapi('LogLine');

export const LogPageSchema = z
  .object({ items: z.array(LogLineSchema), nextAfter: z.string().nullable() })
  .openapi('LogPage');

export const AgentSchema = z
  .object({ name: z.string(), kind: z.string(), description: z.string() })
  .openapi('Agent');

export const ConfigSchema = z
  .object({
    temporalWebUrl: z.string().nullable(),
    namespace: z.string(),
    authRequired: z.boolean(),
    sampleRepository: z.string().nullable(),
    version: z.string(),
  })
  .openapi('ConsoleConfig');

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');
