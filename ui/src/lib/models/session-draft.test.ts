import { describe, expect, it } from 'vitest';
import { advancedField, advancedRequest, emptyAdvanced, isAdvancedSet } from './session-draft';

describe('new session: advanced options', () => {
  it('asks for nothing extra by default', () => {
    expect(advancedRequest(emptyAdvanced)).toEqual({ value: {}, errors: {} });
    expect(isAdvancedSet(emptyAdvanced)).toBe(false);
  });

  it('builds a plan, a budget and approval gates from what was typed', () => {
    const { value, errors } = advancedRequest({
      ...emptyAdvanced,
      planned: true,
      planner: 'planner',
      maxDepth: '2',
      maxParallel: ' 3 ',
      budget: { maxTokens: '5000', maxCostUsd: '', wallMinutes: '10' },
      afterPlan: true,
    });
    expect(errors).toEqual({});
    expect(value).toEqual({
      plan: { planner: 'planner', maxDepth: 2, maxParallel: 3 },
      budget: { maxTokens: 5000, maxWallTimeMs: 600_000 },
      approvals: { afterPlan: true },
    });
    // A plan routed to a planner by capability, with the defaults.
    expect(advancedRequest({ ...emptyAdvanced, planned: true }).value).toEqual({ plan: {} });
  });

  it('names each field out of range with the gateway’s path', () => {
    const { errors } = advancedRequest({
      ...emptyAdvanced,
      planned: true,
      maxDepth: '11',
      maxChildren: '0',
      maxParallel: 'x',
      budget: { maxTokens: '-1', maxCostUsd: 'free', wallMinutes: '' },
    });
    expect(Object.keys(errors).sort()).toEqual([
      'budget.maxCostUsd',
      'budget.maxTokens',
      'plan.maxChildren',
      'plan.maxDepth',
      'plan.maxParallel',
    ]);
    expect(errors['plan.maxDepth']).toContain('1 to 10');
  });

  it('refuses approval gates without a plan', () => {
    const { errors } = advancedRequest({ ...emptyAdvanced, beforeMerge: true });
    expect(errors.approvals).toMatch(/plan/);
  });

  it('maps the gateway’s field paths to the section’s fields', () => {
    expect(advancedField('body.plan.maxDepth')).toBe('plan.maxDepth');
    expect(advancedField('budget/maxCostUsd')).toBe('budget.maxCostUsd');
    expect(advancedField('body.approvals.afterPlan')).toBe('approvals');
    expect(advancedField('body.title')).toBeNull();
  });
});
