/**
 * The format a planner agent writes its plan in. Messages are read by the planner on its second
 * chance, so each one says what is expected, not only what was wrong.
 */
import { z } from 'zod';

export const TASK_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;
export const CAPABILITY_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;
export const AGENT_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const TASK_FIELDS = [
  'id',
  'title',
  'goal',
  'capabilities',
  'agent',
  'dependsOn',
  'decompose',
] as const;

function quoted(input: unknown): string {
  return JSON.stringify(input) ?? String(input);
}

const taskId = z.string().regex(TASK_ID_PATTERN, {
  error: (issue) =>
    `${quoted(issue.input)} is not a valid id: use 1–40 lowercase letters, digits and dashes, starting with a letter or digit (e.g. "add-login-tests")`,
});

const capability = z.string().regex(CAPABILITY_PATTERN, {
  error: (issue) =>
    `${quoted(issue.input)} is not a valid capability: use 1–40 lowercase letters, digits and dashes, starting with a letter (e.g. "typescript")`,
});

const agentName = z.string().regex(AGENT_NAME_PATTERN, {
  error: (issue) =>
    `${quoted(issue.input)} is not a valid agent name: use 1–63 lowercase letters, digits and dashes, starting with a letter or digit`,
});

function textOf(what: string, max: number) {
  return z
    .string()
    .min(1, { error: `the ${what} is empty; write one` })
    .max(max, {
      error: (issue) =>
        `the ${what} is ${(issue.input as string).length} characters long; at most ${max} are allowed`,
    });
}

export const planTaskSchema = z.strictObject({
  id: taskId,
  title: textOf('title', 200),
  goal: textOf('goal', 20_000),
  capabilities: z
    .array(capability)
    .max(10, { error: 'at most 10 capabilities per task' })
    .default([]),
  agent: agentName.optional(),
  dependsOn: z.array(z.string()).default([]),
  decompose: z.boolean().default(false),
});

// The top level is not strict: a planner adding a note next to `tasks` does no harm.
export const planSchema = z.object({
  tasks: z.array(planTaskSchema).min(1, { error: 'the plan has no tasks; write at least one' }),
});

export type PlanInput = z.input<typeof planSchema>;
