/**
 * The new-session form's "Advanced" section: a plan (task tree), a budget and approval gates,
 * as typed, turned into the request's `plan`, `budget` and `approvals` and checked the way the
 * gateway checks them, so most mistakes show before a request is sent.
 */
import {
  PLAN_LIMITS,
  type ApprovalGates,
  type NewSession,
  type PlanSettings,
} from '$lib/types/api';
import { emptyBudgetDraft, hasLimits, parseBudgetDraft, type BudgetDraft } from './budget';

export interface AdvancedDraft {
  /** Decompose the goal into a tree of tasks. */
  planned: boolean;
  /** '' : routed by the `plan` capability. */
  planner: string;
  maxDepth: string;
  maxChildren: string;
  maxParallel: string;
  budget: BudgetDraft;
  afterPlan: boolean;
  beforeMerge: boolean;
}

export const emptyAdvanced: AdvancedDraft = {
  planned: false,
  planner: '',
  maxDepth: '',
  maxChildren: '',
  maxParallel: '',
  budget: emptyBudgetDraft,
  afterPlan: false,
  beforeMerge: false,
};

/** Field paths as the gateway names them (`plan.maxDepth`, `budget.maxTokens`, …). */
export type AdvancedField =
  | 'plan.planner'
  | 'plan.maxDepth'
  | 'plan.maxChildren'
  | 'plan.maxParallel'
  | 'budget.maxTokens'
  | 'budget.maxCostUsd'
  | 'budget.maxWallTimeMs'
  | 'approvals';

export const ADVANCED_FIELDS: readonly AdvancedField[] = [
  'plan.planner',
  'plan.maxDepth',
  'plan.maxChildren',
  'plan.maxParallel',
  'budget.maxTokens',
  'budget.maxCostUsd',
  'budget.maxWallTimeMs',
  'approvals',
];

export type AdvancedErrors = Partial<Record<AdvancedField, string>>;

function limit(
  value: string,
  max: number,
  field: AdvancedField,
  errors: AdvancedErrors,
): number | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  const number = Number(text);
  if (!Number.isInteger(number) || number < 1 || number > max) {
    errors[field] = `A whole number from 1 to ${max}`;
    return undefined;
  }
  return number;
}

export type AdvancedRequest = Pick<NewSession, 'plan' | 'budget' | 'approvals'>;

/** The request's advanced part, or what is wrong with the draft. */
export function advancedRequest(draft: AdvancedDraft): {
  value: AdvancedRequest;
  errors: AdvancedErrors;
} {
  const errors: AdvancedErrors = {};
  const value: AdvancedRequest = {};
  if (draft.planned) {
    const plan: PlanSettings = {};
    if (draft.planner !== '') plan.planner = draft.planner;
    const maxDepth = limit(draft.maxDepth, PLAN_LIMITS.maxDepth, 'plan.maxDepth', errors);
    const maxChildren = limit(
      draft.maxChildren,
      PLAN_LIMITS.maxChildren,
      'plan.maxChildren',
      errors,
    );
    const maxParallel = limit(
      draft.maxParallel,
      PLAN_LIMITS.maxParallel,
      'plan.maxParallel',
      errors,
    );
    if (maxDepth !== undefined) plan.maxDepth = maxDepth;
    if (maxChildren !== undefined) plan.maxChildren = maxChildren;
    if (maxParallel !== undefined) plan.maxParallel = maxParallel;
    value.plan = plan;
  }
  const budget = parseBudgetDraft(draft.budget);
  if (budget.errors.maxTokens) errors['budget.maxTokens'] = budget.errors.maxTokens;
  if (budget.errors.maxCostUsd) errors['budget.maxCostUsd'] = budget.errors.maxCostUsd;
  if (budget.errors.wallMinutes) errors['budget.maxWallTimeMs'] = budget.errors.wallMinutes;
  if (hasLimits(budget.budget)) value.budget = budget.budget;
  const approvals: ApprovalGates = {};
  if (draft.afterPlan) approvals.afterPlan = true;
  if (draft.beforeMerge) approvals.beforeMerge = true;
  if (approvals.afterPlan || approvals.beforeMerge) {
    // The gates are the plan's: a session without a plan has nothing to approve.
    if (!draft.planned) errors.approvals = 'Approvals apply to a plan: turn on the task tree';
    value.approvals = approvals;
  }
  return { value, errors };
}

/** `body.plan.maxDepth` → `plan.maxDepth`, when it is a field of the advanced section. */
export function advancedField(path: string): AdvancedField | null {
  const clean = path
    .replace(/^\$\.?/, '')
    .replace(/^body[./]/, '')
    .replace(/\//g, '.');
  if (clean.startsWith('approvals')) return 'approvals';
  return (ADVANCED_FIELDS as readonly string[]).includes(clean) ? (clean as AdvancedField) : null;
}

/** Whether the section holds anything but defaults (it opens itself then). */
export function isAdvancedSet(draft: AdvancedDraft): boolean {
  const { value } = advancedRequest(draft);
  return value.plan !== undefined || value.budget !== undefined || value.approvals !== undefined;
}
