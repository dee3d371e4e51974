/**
 * A session's spending against its budget (bars for tokens, cost and wall time) and the budget
 * forms' drafts: what the operator types, checked the way the gateway will check it.
 */
import type { Budget, Usage } from '$lib/types/api';
import { compactNumber } from './format';
import { formatCost } from './session-usage';

export type BudgetKey = 'tokens' | 'cost' | 'wall';
export type BarTone = 'ok' | 'high' | 'full' | 'unlimited';

export interface BudgetBar {
  key: BudgetKey;
  label: string;
  used: number;
  /** Null: no limit. */
  limit: number | null;
  /** used / limit, clamped to 0..1; null without a limit. */
  ratio: number | null;
  /** The limit is reached: no new step starts. */
  over: boolean;
  tone: BarTone;
  usedText: string;
  limitText: string;
}

/** "1h 02m", "4m 05s", "12s" for a span in milliseconds. */
export function formatSpan(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

/** How long the session has run, as the wall-time limit counts it (from its start). */
export function wallTimeMs(startedAt: string, closedAt: string | null, now = Date.now()): number {
  const start = new Date(startedAt).getTime();
  const end = closedAt ? new Date(closedAt).getTime() : now;
  return Number.isNaN(start) || Number.isNaN(end) ? 0 : Math.max(0, end - start);
}

function bar(
  key: BudgetKey,
  label: string,
  used: number,
  limit: number | undefined,
  format: (value: number) => string,
): BudgetBar {
  const bounded = typeof limit === 'number' && limit > 0;
  const ratio = bounded ? Math.min(1, used / limit) : null;
  const over = bounded && used >= limit;
  const tone: BarTone =
    ratio === null ? 'unlimited' : over ? 'full' : ratio >= 0.75 ? 'high' : 'ok';
  return {
    key,
    label,
    used,
    limit: bounded ? limit : null,
    ratio,
    over,
    tone,
    usedText: format(used),
    limitText: bounded ? format(limit) : 'no limit',
  };
}

/** Tokens, cost and wall time spent, each against its limit. */
export function budgetBars(usage: Usage, budget: Budget, wallMs: number): BudgetBar[] {
  return [
    bar('tokens', 'Tokens', usage.tokens, budget.maxTokens, compactNumber),
    bar('cost', 'Cost', usage.costUsd, budget.maxCostUsd, formatCost),
    bar('wall', 'Wall time', wallMs, budget.maxWallTimeMs, formatSpan),
  ];
}

/** Whether any limit is set. */
export function hasLimits(budget: Budget | null | undefined): boolean {
  return (
    budget !== null &&
    budget !== undefined &&
    [budget.maxTokens, budget.maxCostUsd, budget.maxWallTimeMs].some((v) => v !== undefined)
  );
}

/** A budget as typed into a form: empty means no limit. */
export interface BudgetDraft {
  maxTokens: string;
  maxCostUsd: string;
  /** Minutes, since nobody types milliseconds. */
  wallMinutes: string;
}

export type BudgetDraftErrors = Partial<Record<keyof BudgetDraft, string>>;

export const emptyBudgetDraft: BudgetDraft = { maxTokens: '', maxCostUsd: '', wallMinutes: '' };

export function budgetDraftOf(budget: Budget | null | undefined): BudgetDraft {
  return {
    maxTokens: budget?.maxTokens === undefined ? '' : String(budget.maxTokens),
    maxCostUsd: budget?.maxCostUsd === undefined ? '' : String(budget.maxCostUsd),
    wallMinutes:
      budget?.maxWallTimeMs === undefined
        ? ''
        : String(Math.round((budget.maxWallTimeMs / 60_000) * 100) / 100),
  };
}

/** The gateway takes at least a second of wall time. */
const MIN_WALL_MS = 1000;

/** The budget a draft asks for, or what is wrong with it (the gateway's own rules). */
export function parseBudgetDraft(draft: BudgetDraft): {
  budget: Budget;
  errors: BudgetDraftErrors;
} {
  const budget: Budget = {};
  const errors: BudgetDraftErrors = {};
  const tokens = draft.maxTokens.trim();
  if (tokens !== '') {
    const value = Number(tokens.replace(/[_,\s]/g, ''));
    if (!Number.isInteger(value) || value <= 0) errors.maxTokens = 'A whole number above 0';
    else budget.maxTokens = value;
  }
  const cost = draft.maxCostUsd.trim().replace(/^\$/, '');
  if (cost !== '') {
    const value = Number(cost);
    if (!Number.isFinite(value) || value <= 0) errors.maxCostUsd = 'Dollars above 0, e.g. 2.50';
    else budget.maxCostUsd = value;
  }
  const minutes = draft.wallMinutes.trim();
  if (minutes !== '') {
    const value = Math.round(Number(minutes) * 60_000);
    if (!Number.isFinite(value) || value < MIN_WALL_MS) {
      errors.wallMinutes = 'Minutes, at least 1 second (0.02)';
    } else budget.maxWallTimeMs = value;
  }
  return { budget, errors };
}
