import { describe, expect, it } from 'vitest';
import type { PlanError, ReadPlanResult } from '../contracts.js';
import { formatPath, MAX_PLAN_ERRORS, validatePlan } from './validate-plan.js';

const limits = { maxChildren: 8 };

function task(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, title: `Task ${id}`, goal: `Do ${id}`, ...extra };
}

function errorsOf(result: ReadPlanResult): PlanError[] {
  if (result.ok) throw new Error(`expected plan errors, got a plan: ${JSON.stringify(result)}`);
  return result.errors;
}

function errorAt(raw: unknown, path: string): string {
  const errors = errorsOf(validatePlan(raw, limits));
  const found = errors.filter((error) => error.path === path);
  expect(found, JSON.stringify(errors)).toHaveLength(1);
  return found[0]!.message;
}

describe('validatePlan', () => {
  it('accepts a valid plan and fills the defaults', () => {
    const result = validatePlan(
      {
        tasks: [
          task('schema'),
          task('api', { dependsOn: ['schema', 'schema'], capabilities: ['typescript'] }),
          task('ui', { agent: 'claude-code', dependsOn: ['api'], decompose: true }),
        ],
        notes: 'the top level tolerates notes',
      },
      limits,
    );
    expect(result).toEqual({
      ok: true,
      plan: {
        tasks: [
          {
            id: 'schema',
            title: 'Task schema',
            goal: 'Do schema',
            capabilities: [],
            dependsOn: [],
            decompose: false,
          },
          {
            id: 'api',
            title: 'Task api',
            goal: 'Do api',
            capabilities: ['typescript'],
            dependsOn: ['schema'],
            decompose: false,
          },
          {
            id: 'ui',
            title: 'Task ui',
            goal: 'Do ui',
            capabilities: [],
            agent: 'claude-code',
            dependsOn: ['api'],
            decompose: true,
          },
        ],
      },
    });
  });

  it('refuses something that is not a plan object', () => {
    for (const raw of [null, [task('a')], 'tasks', 3]) {
      expect(errorAt(raw, '')).toMatch(/^the plan must be a JSON object like \{"tasks": /);
    }
    expect(errorAt({}, 'tasks')).toBe('is missing; expected an array');
    expect(errorAt({ tasks: [] }, 'tasks')).toBe('the plan has no tasks; write at least one');
  });

  it.each([
    ['tasks[0].id', task('Add Tests'), /^"Add Tests" is not a valid id: use 1–40 lowercase/],
    ['tasks[0].id', task('a'.repeat(41)), /is not a valid id/],
    ['tasks[0].id', { title: 't', goal: 'g' }, /^is missing; expected a string$/],
    ['tasks[0].title', task('a', { title: '' }), /^the title is empty; write one$/],
    [
      'tasks[0].title',
      task('a', { title: 'x'.repeat(201) }),
      /^the title is 201 characters long; at most 200/,
    ],
    ['tasks[0].goal', task('a', { goal: 'x'.repeat(20_001) }), /at most 20000 are allowed/],
    ['tasks[0].goal', task('a', { goal: 42 }), /^must be a string, not a number$/],
    [
      'tasks[0].capabilities[1]',
      task('a', { capabilities: ['go', '9lives'] }),
      /^"9lives" is not a valid capability/,
    ],
    [
      'tasks[0].capabilities',
      task('a', { capabilities: Array.from({ length: 11 }, (_, i) => `c${i}`) }),
      /at most 10 capabilities/,
    ],
    ['tasks[0].agent', task('a', { agent: 'Claude' }), /^"Claude" is not a valid agent name/],
    ['tasks[0].dependsOn', task('a', { dependsOn: 'b' }), /^must be an array, not a string$/],
    ['tasks[0].dependsOn[0]', task('a', { dependsOn: [7] }), /^must be a string, not a number$/],
    [
      'tasks[0].decompose',
      task('a', { decompose: 'yes' }),
      /^must be true or false, not a string$/,
    ],
    [
      'tasks[0].depends_on',
      task('a', { depends_on: ['b'] }),
      /^unknown field "depends_on"; a task has only: id, title, goal, capabilities, agent, dependsOn, decompose$/,
    ],
    ['tasks[0]', 'write the tests', /^must be an object, not a string$/],
  ])('reports %s', (path, bad, message) => {
    expect(errorAt({ tasks: [bad] }, path)).toMatch(message);
  });

  it('reports more tasks than maxChildren', () => {
    const tasks = Array.from({ length: 9 }, (_, i) => task(`t${i}`));
    expect(errorAt({ tasks }, 'tasks')).toMatch(/^the plan has 9 tasks; at most 8 are allowed/);
    expect(validatePlan({ tasks: tasks.slice(1) }, limits).ok).toBe(true);
  });

  it('reports a duplicate id at its second task', () => {
    const raw = { tasks: [task('a'), task('b'), task('a')] };
    expect(errorAt(raw, 'tasks[2].id')).toBe(
      'duplicate id "a" (tasks[0] has it too); every task needs its own id',
    );
  });

  it('reports a dependency on an unknown id where it is listed', () => {
    const raw = { tasks: [task('a'), task('b', { dependsOn: ['a', 'c'] })] };
    expect(errorAt(raw, 'tasks[1].dependsOn[1]')).toBe(
      'depends on "c", which is not a task of this plan; dependsOn lists ids of tasks in the same plan (a, b)',
    );
  });

  it('reports a task depending on itself, not as a cycle', () => {
    const raw = { tasks: [task('a'), task('b', { dependsOn: ['a', 'b'] })] };
    expect(errorsOf(validatePlan(raw, limits))).toEqual([
      { path: 'tasks[1].dependsOn[1]', message: 'task "b" depends on itself; remove it here' },
    ]);
  });

  it('reports a 3-cycle once, with its path', () => {
    const raw = {
      tasks: [
        task('start'),
        task('a', { dependsOn: ['start', 'b'] }),
        task('b', { dependsOn: ['c'] }),
        task('c', { dependsOn: ['a'] }),
        task('after', { dependsOn: ['c'] }),
      ],
    };
    expect(errorsOf(validatePlan(raw, limits))).toEqual([
      {
        path: 'tasks',
        message:
          'dependency cycle: a → b → c → a (each task depends on the next); remove one of these dependencies',
      },
    ]);
  });

  it('reports separate cycles separately and names the rest of a tangle', () => {
    const raw = {
      tasks: [
        task('x', { dependsOn: ['y'] }),
        task('y', { dependsOn: ['x'] }),
        task('a', { dependsOn: ['b'] }),
        task('b', { dependsOn: ['a', 'c'] }),
        task('c', { dependsOn: ['a'] }),
      ],
    };
    expect(errorsOf(validatePlan(raw, limits)).map((error) => error.message)).toEqual([
      'dependency cycle: x → y → x (each task depends on the next); remove one of these dependencies',
      'dependency cycle: a → b → a (each task depends on the next); c also depend on each other in a loop with these; remove one of these dependencies',
    ]);
  });

  it('collects schema and dependency errors together', () => {
    const raw = {
      tasks: [task('a', { title: '' }), task('b', { dependsOn: ['nope'], extra: true }), task('a')],
    };
    expect(errorsOf(validatePlan(raw, limits)).map((error) => error.path)).toEqual([
      'tasks[0].title',
      'tasks[1].extra',
      'tasks[2].id',
      'tasks[1].dependsOn[0]',
    ]);
  });

  it(`stops at ${MAX_PLAN_ERRORS} errors and says how many more there were`, () => {
    const tasks = Array.from({ length: 60 }, (_, i) => task(`t${i}`, { title: '' }));
    const errors = errorsOf(validatePlan({ tasks }, { maxChildren: 100 }));
    expect(errors).toHaveLength(MAX_PLAN_ERRORS);
    expect(errors.at(-1)).toEqual({ path: '', message: '…and 11 more errors' });
  });
});

describe('formatPath', () => {
  it('writes zod paths the way the planner reads its JSON', () => {
    expect(formatPath(['tasks', 2, 'dependsOn', 0])).toBe('tasks[2].dependsOn[0]');
    expect(formatPath([])).toBe('');
    expect(formatPath(['tasks', 0, 'odd key'])).toBe('tasks[0]["odd key"]');
  });
});
