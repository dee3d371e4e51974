/**
 * Request and response schemas: one source for validation and for the OpenAPI document.
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { TIER_LEVELS } from '@orchestrator/activities/agents/tiers';
import {
  PLAN_DEFAULTS,
  PLAN_LIMITS,
  SESSION_STATUSES,
  type TaskStatus,
} from '@orchestrator/workflows/types';
import { API_TOKEN_ROLES } from '@orchestrator/activities/db/api-tokens';
import { AgentEntrySchema } from './agent-entry-schemas.js';

extendZodWithOpenApi(z);

export const SessionIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'Session ids are lowercase letters, digits and dashes')
  .openapi({ example: '7f3k2m9q1x' });

export const SessionIdParams = z.object({ id: SessionIdSchema });

export const SessionStatusSchema = z.enum(SESSION_STATUSES).openapi('SessionStatus');

export const AgentNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, 'Agent names are lowercase letters, digits and dashes');

export const CapabilitySchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, 'Capabilities are short lowercase words (plan, code, test)');

export const TierLevelSchema = z.enum(TIER_LEVELS).openapi('TierLevel');

/**
 * Text that reaches a process (the goal as ORCHESTRATOR_GOAL, the repository as a git argument,
 * the title in the workflow memo): a NUL byte cannot travel in an environment variable or an
 * argument, so it is refused here instead of failing the session's step later.
 */
const hasNoNul = (value: string) => !value.includes('\u0000');

/** How a session decomposes its goal (workflows/src/types.ts PlanSettings). */
export const PlanSettingsSchema = z
  .object({
    planner: AgentNameSchema.optional().openapi({
      description: 'The agent that writes plans; absent: routed by the `plan` capability',
    }),
    maxDepth: z
      .number()
      .int()
      .min(1)
      .max(PLAN_LIMITS.maxDepth)
      .optional()
      .openapi({
        description: `Levels of tasks below the session (default ${PLAN_DEFAULTS.maxDepth})`,
      }),
    maxChildren: z
      .number()
      .int()
      .min(1)
      .max(PLAN_LIMITS.maxChildren)
      .optional()
      .openapi({ description: `Tasks per plan (default ${PLAN_DEFAULTS.maxChildren})` }),
    maxParallel: z
      .number()
      .int()
      .min(1)
      .max(PLAN_LIMITS.maxParallel)
      .optional()
      .openapi({
        description: `Agent steps running at once across the tree (default ${PLAN_DEFAULTS.maxParallel})`,
      }),
  })
  .strict()
  .openapi('PlanSettings', {
    description:
      'Plan first, then run the plan’s tasks as child workflows; with a plan, `agent` is optional ' +
      'and, if named, resolves merge conflicts',
  });

/** Limits on what the whole tree may spend; absent fields are unlimited. */
export const BudgetSchema = z
  .object({
    maxTokens: z.number().int().positive().optional().openapi({ example: 200_000 }),
    maxCostUsd: z.number().positive().optional().openapi({ example: 5 }),
    maxWallTimeMs: z
      .number()
      .int()
      .min(1000)
      .optional()
      .openapi({ description: 'From the session’s start', example: 3_600_000 }),
  })
  .strict()
  .openapi('Budget', {
    description:
      'When a limit is reached the tree starts no new step and the session waits in ' +
      'awaiting_approval until the budget is raised (PUT …/budget) or the session is stopped',
  });

export const ApprovalGatesSchema = z
  .object({
    afterPlan: z.boolean().optional().openapi({ description: 'Approve the plan before it runs' }),
    beforeMerge: z
      .boolean()
      .optional()
      .openapi({ description: 'Approve merging the tasks’ branches' }),
  })
  .strict()
  .openapi('ApprovalGates');

export const CreateSessionBody = z
  .object({
    title: z
      .string()
      .trim()
      .min(1, 'Give the session a title')
      .max(200)
      .refine(hasNoNul, 'The title cannot contain NUL characters'),
    goal: z
      .string()
      .trim()
      .min(1, 'Describe the goal')
      .max(20_000)
      .refine(hasNoNul, 'The goal cannot contain NUL characters'),
    repository: z
      .string()
      .trim()
      .min(1, 'Name a git URL or an allowed local path')
      .max(1024)
      .refine(hasNoNul, 'The repository cannot contain NUL characters')
      .openapi({ example: '/path/to/repo' }),
    agent: AgentNameSchema.optional().openapi({
      description: 'The agent to run; or leave it out and ask for capabilities',
      example: 'demo',
    }),
    capabilities: z
      .array(CapabilitySchema)
      .min(1, 'Ask for at least one capability, or name an agent')
      .max(16)
      .optional()
      .openapi({
        description: 'Route to the best available agent having all of these',
        example: ['code', 'test'],
      }),
    minTier: TierLevelSchema.optional().openapi({
      description: 'With capabilities: the lowest measured tier acceptable',
    }),
    plan: PlanSettingsSchema.optional(),
    budget: BudgetSchema.optional(),
    approvals: ApprovalGatesSchema.optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.agent && (body.capabilities || body.minTier)) {
      ctx.addIssue({
        code: 'custom',
        path: ['capabilities'],
        message: 'Name an agent or ask for capabilities, not both',
      });
    } else if (!body.agent && !body.capabilities && !body.plan) {
      ctx.addIssue({
        code: 'custom',
        path: ['agent'],
        message:
          'Name an agent (GET /api/agents lists them), ask for capabilities, or ask for a plan',
      });
    }
  })
  .openapi('CreateSession');
export type CreateSessionBody = z.infer<typeof CreateSessionBody>;

const Instant = z.iso
  .datetime({ offset: true })
  .openapi({ description: 'ISO 8601 instant', example: '2025-01-31T00:00:00Z' });

export const ListSessionsQuery = z
  .object({
    status: SessionStatusSchema.optional(),
    agent: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,62}$/, 'Agent names are lowercase letters, digits and dashes')
      .optional()
      .openapi({ description: 'Only sessions of this agent' }),
    // No NUL: a session cannot have one in its repository, and a visibility query holding one
    // never came back (the REST fuzzer found it, seed 2032374896).
    repository: z
      .string()
      .min(1)
      .max(1024)
      .refine(hasNoNul, 'The repository cannot contain NUL characters')
      .optional()
      .openapi({ description: 'Only sessions on this repository (exactly as started)' }),
    q: z
      .string()
      .trim()
      .max(200)
      .refine(hasNoNul, 'The search text cannot contain NUL characters')
      .optional()
      .openapi({
        description:
          'Text search: a prefix of the session id, the agent or the repository, or words of the title (each whole word, any order, case and accents ignored)',
      }),
    startedAfter: Instant.optional(),
    closedAfter: Instant.optional(),
    cursor: z.string().max(4096).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

export const StopQuery = z.object({ force: z.enum(['true', 'false']).optional() }).strict();

/** The archive keeps a log id's sequence number in a Postgres integer. */
const MAX_ENTRY_SEQ = 2 ** 31 - 1;

/**
 * A log entry id, `<ms>-<seq>`, as the log bus hands them out (REST `after`, WebSocket `after`).
 * An id beyond what the bus and the archive hold (ms over 2^53, seq over 2^31) was never handed
 * out: it is refused here, not left to fail in Redis or Postgres.
 */
export const EntryIdSchema = z
  .string()
  .regex(/^\d{1,16}-\d{1,10}$/, {
    message: 'Log ids look like <ms>-<seq>, e.g. 1718000000000-0',
    abort: true,
  })
  .refine((id) => {
    const [ms, seq] = id.split('-').map(Number);
    return Number.isSafeInteger(ms) && seq! <= MAX_ENTRY_SEQ;
  }, 'Log ids have ms ≤ 2^53-1 and seq ≤ 2^31-1: resume from an id the gateway sent')
  .openapi({ example: '1718000000000-0' });

export const LogsQuery = z
  .object({
    after: EntryIdSchema.optional(),
    limit: z.coerce.number().int().min(1).max(5000).default(1000),
  })
  .strict();

const UsageSchema = z
  .object({ tokens: z.number(), costUsd: z.number() })
  .openapi('Usage', { description: 'Spent: every token (input, output, cache) and dollars' });

export const CheckpointSchema = z
  .object({
    seq: z.number().int(),
    workflowId: z.string().openapi({ description: 'The workflow that ran the step' }),
    eventId: z.number().int().openapi({
      description: 'The workflow task of that workflow’s history that received the result',
    }),
    taskPath: z.string().openapi({ description: "'' for the session's own steps, else `2.1`" }),
    role: z.enum(['work', 'plan', 'resolve', 'merge']),
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
    routing: z.object({ agent: z.string(), reason: z.string() }).nullable().optional(),
    detail: z
      .looseObject({ kind: z.enum(['plan', 'conflict', 'merge']) })
      .nullable()
      .optional()
      .openapi({ description: 'A plan’s tasks, a conflict’s files, or the merged branches' }),
    startedAt: z.string(),
    finishedAt: z.string(),
    resultDigest: z.string().openapi({ description: 'sha256 of the step result in history' }),
    prevHash: z.string(),
    hash: z.string().openapi({ description: 'sha256(prevHash + canonical JSON of the rest)' }),
  })
  .openapi('Checkpoint');

const GateSchema = z.enum(['plan', 'merge', 'budget', 'conflict']);

export const PendingApprovalSchema = z
  .object({ gate: GateSchema, taskPath: z.string(), reason: z.string(), since: z.string() })
  .openapi('PendingApproval');

export const ApprovalDecisionSchema = z
  .object({
    gate: GateSchema,
    taskPath: z.string(),
    decision: z.enum(['approved', 'rejected']),
    by: z.string(),
    comment: z.string(),
    at: z.string(),
  })
  .openapi('ApprovalDecision');

export const ForkOriginSchema = z.object({
  sessionId: z.string(),
  checkpoint: z.number().int(),
  commitSha: z.string(),
});

const OutcomeSchema = z
  .object({ completed: z.number().int(), failed: z.number().int(), skipped: z.number().int() })
  .nullable()
  .openapi({ description: 'Tasks that ended, once the plan ran; null before (or without a plan)' });

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
    planned: z.boolean().openapi({
      description:
        'Started with plan settings: it decomposes its goal into a task tree (GET …/tree) rather than running one step',
    }),
  })
  .openapi('SessionSummary');
export type SessionSummary = z.infer<typeof SessionSummarySchema>;

export const SessionDetailSchema = SessionSummarySchema.extend({
  goal: z.string(),
  stateAvailable: z.boolean().openapi({
    description:
      'False when the run did not answer its state query in time (no worker polls the orchestrator queue, or it is overloaded): checkpoints, error, gates, decisions, steps and outcome are then unknown, not empty',
  }),
  checkpoints: z.array(CheckpointSchema),
  error: z.string().nullable(),
  usage: UsageSchema,
  budget: BudgetSchema,
  pending: z.array(PendingApprovalSchema).openapi({ description: 'What the session waits for' }),
  decisions: z.array(ApprovalDecisionSchema),
  paused: z.boolean(),
  steps: z
    .object({
      running: z.number().int(),
      waiting: z.number().int(),
      queued: z.array(z.string()).openapi({
        description:
          'Workflow ids (a task’s, or the session’s own) whose agent step waits for a permit, oldest first',
      }),
    })
    .openapi({
      description:
        'Agent steps of the tree running now, and waiting for a permit (paused, over budget, or maxParallel reached)',
    }),
  runs: z
    .number()
    .int()
    .openapi({ description: 'Workflow runs so far (1 + how often it continued as new)' }),
  outcome: OutcomeSchema,
  // Copies, not the named request schemas: zod-to-openapi would make those nullable too.
  plan: z.object(PlanSettingsSchema.shape).nullable(),
  approvals: z.object(ApprovalGatesSchema.shape).nullable(),
  forkedFrom: ForkOriginSchema.nullable().openapi({
    description: 'The session and checkpoint this one was forked from',
  }),
}).openapi('SessionDetail');
export type SessionDetail = z.infer<typeof SessionDetailSchema>;

export const SessionPageSchema = z
  .object({
    items: z.array(SessionSummarySchema),
    nextCursor: z.string().nullable(),
    /** Workflow runs matching the filter (a retried session's earlier runs included). */
    total: z.number().int(),
  })
  .openapi('SessionPage');

// --- Trees, budgets and time travel ----------------------------------------------------------

const CheckpointSeqSchema = z
  .number()
  .int()
  .min(1)
  .openapi({ description: 'A checkpoint’s seq (GET …/checkpoints lists them)', example: 2 });

export const DecisionBody = z
  .object({
    gate: GateSchema.optional().openapi({
      description: 'Which gate; absent: the only one waiting (refused when several wait)',
    }),
    taskPath: z
      .string()
      .regex(/^(\d+(\.\d+)*)?$/, "Task paths look like 2.1 ('' for the session)")
      .max(100)
      .optional(),
    comment: z
      .string()
      .max(2000)
      .refine(hasNoNul, 'The comment cannot contain NUL characters')
      .optional(),
  })
  .strict()
  .openapi('DecisionRequest');
export type DecisionBody = z.infer<typeof DecisionBody>;

export const RetryBody = z
  .object({
    checkpoint: CheckpointSeqSchema.optional().openapi({
      description:
        'Rewind to this checkpoint of the session’s own (Temporal reset) and rerun from there; ' +
        'absent: run a failed or cancelled session again from the start',
    }),
  })
  .strict()
  .openapi('RetryRequest');

export const ForkBody = z
  .object({
    checkpoint: CheckpointSeqSchema,
    agent: AgentNameSchema.optional().openapi({ description: 'Run the fork with another agent' }),
    title: CreateSessionBody.shape.title.optional().openapi({
      description: 'Default: `<origin title> (fork of <id>@<seq>)`',
    }),
  })
  .strict()
  .openapi('ForkRequest');
export type ForkBody = z.infer<typeof ForkBody>;

export const DiffQuery = z
  .object({ checkpoint: z.coerce.number().int().min(1).openapi({ example: 2 }) })
  .strict();

export const ControlResultSchema = z
  .object({ id: z.string(), status: SessionStatusSchema })
  .openapi('ControlResult');

export const RewoundSessionSchema = SessionDetailSchema.extend({
  resetTo: z
    .object({ checkpoint: z.number().int(), eventId: z.number().int() })
    .optional()
    .openapi({ description: 'Present when the run was rewound to a checkpoint' }),
}).openapi('RetriedSession');

export interface TreeNodeView {
  path: string;
  planId: string;
  workflowId: string;
  title: string;
  status: TaskStatus;
  agent: string | null;
  dependsOn: string[];
  usage: { tokens: number; costUsd: number };
  subtreeUsage: { tokens: number; costUsd: number };
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  temporalUrl: string | null;
  /** Its agent step waits for a permit: running, but no step of it runs. */
  waitingForStep: boolean;
  children: TreeNodeView[];
}

export const TreeNodeSchema: z.ZodType<TreeNodeView> = z
  .object({
    path: z.string(),
    planId: z.string(),
    workflowId: z.string(),
    title: z.string(),
    status: z.enum([...SESSION_STATUSES, 'skipped']),
    agent: z.string().nullable(),
    dependsOn: z.array(z.string()).openapi({ description: 'Plan ids of sibling tasks' }),
    usage: UsageSchema,
    subtreeUsage: UsageSchema.openapi({ description: 'Its own usage plus its descendants’' }),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    error: z.string().nullable(),
    temporalUrl: z.string().nullable(),
    waitingForStep: z.boolean().openapi({
      description:
        'Its agent step waits for a permit (the session is paused or over budget, or maxParallel steps run): the task is running but no step of it is',
    }),
    get children() {
      return z.array(TreeNodeSchema);
    },
  })
  .openapi('TaskNode');

export const SessionTreeSchema = z
  .object({
    sessionId: z.string(),
    status: SessionStatusSchema,
    usage: UsageSchema,
    budget: BudgetSchema,
    outcome: OutcomeSchema,
    nodes: z.array(TreeNodeSchema),
  })
  .openapi('SessionTree');

export const CheckpointListSchema = z
  .object({
    items: z.array(CheckpointSchema),
    verification: z.object({
      verified: z.boolean(),
      checked: z.number().int(),
      links: z.array(
        z.object({ seq: z.number().int(), ok: z.boolean(), problem: z.string().nullable() }),
      ),
      firstBroken: z.number().int().nullable(),
    }),
  })
  .openapi('CheckpointList');

export const CheckpointDiffSchema = z
  .object({
    checkpoint: z.number().int(),
    sha: z.string().nullable(),
    parentSha: z.string().nullable(),
    patch: z.string().openapi({ description: 'Unified diff against the parent commit' }),
    truncated: z.boolean(),
    files: z.array(z.looseObject({ path: z.string() })),
  })
  .openapi('CheckpointDiff');

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

// --- Access: roles, API tokens, the audit trail ---------------------------------------------

export const RoleSchema = z
  .enum(API_TOKEN_ROLES)
  .openapi('Role', { description: 'viewer reads; operator also runs sessions; admin does all' });

export const CreateTokenBody = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, 'Name the token after who or what uses it')
      .max(100)
      // Names show up in the audit trail and the console: printable text only.
      .regex(/^[^\p{C}]+$/u, 'Token names cannot contain control characters')
      // zod-to-openapi would print the flag into the pattern ("…$/u"), which then matches nothing.
      .openapi({ example: 'ci-deployer', pattern: '^[^\\p{C}]+$' }),
    role: RoleSchema,
  })
  .strict()
  .openapi('CreateToken');

export const TokenIdParams = z.object({
  id: z
    .string()
    .regex(/^[0-9a-f-]{36}$/, 'Token ids are UUIDs')
    .openapi({ example: '0b6f6f5e-4d2a-4f58-9d53-0e1c3a2b7c11' }),
});

export const TokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: RoleSchema,
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi('Token');

export const CreatedTokenSchema = TokenSchema.extend({
  token: z.string().openapi({ description: 'The secret: shown in this answer only, never again' }),
}).openapi('CreatedToken');

export const MeSchema = z
  .object({
    tokenId: z.string().nullable(),
    name: z.string(),
    role: RoleSchema,
    authRequired: z.boolean(),
  })
  .openapi('Me');

export const AuditQuery = z
  .object({
    before: z.coerce.number().int().min(1).optional().openapi({
      description: "Only events older than this id (the previous page's nextBefore)",
    }),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    action: z
      .string()
      .regex(/^[a-z][a-z-]*\.[a-z][a-z-]*$/, 'Actions look like session.stop')
      .optional(),
    actorTokenId: TokenIdParams.shape.id.optional(),
  })
  .strict();

export const AuditEventSchema = z
  .object({
    id: z.number().int(),
    at: z.string(),
    actor: z.object({ tokenId: z.string().nullable(), name: z.string(), role: RoleSchema }),
    action: z.string(),
    target: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()),
    requestId: z.string().nullable(),
    clientIp: z.string().nullable(),
  })
  .openapi('AuditEvent');

export const AuditPageSchema = z
  .object({ items: z.array(AuditEventSchema), nextBefore: z.number().int().nullable() })
  .openapi('AuditPage');

export const AgentNameParams = z.object({ name: AgentNameSchema }).strict();

/** An agent entry (POST/PUT /api/agents): one schema per kind, chosen by `kind`. */
export { AgentEntrySchema } from './agent-entry-schemas.js';

export const AgentViewSchema = z
  .object({
    name: z.string(),
    kind: z.string(),
    description: z.string(),
    model: z.string().nullable(),
    capabilities: z.array(z.string()),
    maxConcurrency: z.number().int(),
    config: AgentEntrySchema,
    tier: z.object({
      level: z.enum([...TIER_LEVELS, 'unrated']),
      successRate: z.number().nullable(),
      steps: z.number().int(),
    }),
    availability: z.object({
      available: z.boolean(),
      reason: z.string().nullable(),
      workers: z.number().int(),
      version: z.string().nullable(),
    }),
    load: z.object({
      running: z.number().int(),
      backlog: z.number().int(),
      pollers: z.number().int(),
      slots: z.number().int(),
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Agent');
