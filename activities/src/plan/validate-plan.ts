/**
 * Turns what a planner wrote into a Plan, or into every reason it was refused: the planner gets
 * one more try with these errors, so it should see them all at once rather than one per try.
 */
import type { z } from 'zod';
import type { PlanError, PlanTask, ReadPlanResult } from '../contracts.js';
import { dependencyErrors, type TaskLinks } from './plan-dependencies.js';
import { planSchema, TASK_FIELDS } from './plan-schema.js';

export const MAX_PLAN_ERRORS = 50;

export interface PlanLimits {
  maxChildren: number;
}

export function validatePlan(raw: unknown, limits: PlanLimits): ReadPlanResult {
  const errors: PlanError[] = [];
  const tasks = isRecord(raw) && Array.isArray(raw.tasks) ? (raw.tasks as unknown[]) : null;
  if (tasks && tasks.length > limits.maxChildren) {
    errors.push({
      path: 'tasks',
      message: `the plan has ${tasks.length} tasks; at most ${limits.maxChildren} are allowed: merge related tasks, or give a large task "decompose": true so it is planned in turn`,
    });
  }
  const parsed = planSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) errors.push(...parsed.error.issues.flatMap(toPlanErrors));
  if (tasks) errors.push(...dependencyErrors(tasks.map(linksOf)));

  if (parsed.success && errors.length === 0) {
    // A dependency listed twice means nothing more than once.
    const planTasks: PlanTask[] = parsed.data.tasks.map((task) => ({
      ...task,
      dependsOn: [...new Set(task.dependsOn)],
    }));
    return { ok: true, plan: { tasks: planTasks } };
  }
  if (errors.length > MAX_PLAN_ERRORS) {
    const left = errors.length - (MAX_PLAN_ERRORS - 1);
    errors.splice(MAX_PLAN_ERRORS - 1, Infinity, { path: '', message: `…and ${left} more errors` });
  }
  return { ok: false, errors };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function linksOf(task: unknown): TaskLinks {
  if (!isRecord(task)) return { id: null, dependsOn: [] };
  return {
    id: typeof task.id === 'string' ? task.id : null,
    dependsOn: Array.isArray(task.dependsOn)
      ? task.dependsOn.map((id: unknown) => (typeof id === 'string' ? id : null))
      : [],
  };
}

/** `['tasks', 2, 'dependsOn', 0]` → `tasks[2].dependsOn[0]`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((key, index) => {
      if (typeof key === 'number') return `[${key}]`;
      const name = String(key);
      if (!/^[A-Za-z_$][\w$]*$/.test(name)) return `[${JSON.stringify(name)}]`;
      return index === 0 ? name : `.${name}`;
    })
    .join('');
}

function describe(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  return typeof input === 'object' ? 'an object' : `a ${typeof input}`;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  array: 'an array',
  object: 'an object',
  boolean: 'true or false',
};

function toPlanErrors(issue: z.core.$ZodIssue): PlanError[] {
  const path = formatPath(issue.path);
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.path.length === 0) {
        return [
          {
            path,
            message: `the plan must be a JSON object like {"tasks": [{"id": "…", "title": "…", "goal": "…"}]}, not ${describe(issue.input)}`,
          },
        ];
      }
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      // JSON has no undefined: the field was left out, not given the wrong type.
      const message =
        issue.input === undefined
          ? `is missing; expected ${expected}`
          : `must be ${expected}, not ${describe(issue.input)}`;
      return [{ path, message }];
    }
    case 'unrecognized_keys':
      // Only tasks are strict: an unknown field is most likely a misspelt one.
      return issue.keys.map((key) => ({
        path: formatPath([...issue.path, key]),
        message: `unknown field "${key}"; a task has only: ${TASK_FIELDS.join(', ')}`,
      }));
    default:
      return [{ path, message: issue.message }];
  }
}
