/**
 * What the gateway keeps in a session workflow's memo: everything needed to show the session
 * without a query, to run it again (`retry`) and to fork it with the same settings. The
 * workflow itself reads its input, never the memo.
 */
import type {
  ApprovalGates,
  Budget,
  ForkOrigin,
  PlanSettings,
  SessionMemo,
} from '@orchestrator/workflows/client';

export interface StoredMemo extends SessionMemo {
  plan?: PlanSettings;
  budget?: Budget;
  approvals?: ApprovalGates;
  forkedFrom?: ForkOrigin;
}

/** The run settings of a memo (or a request), without absent fields. */
export type RunSettings = Pick<StoredMemo, 'plan' | 'budget' | 'approvals' | 'forkedFrom'>;

/**
 * Absent fields are left out rather than stored as `undefined`: a memo field is one payload
 * each, and a session started before these settings existed has none of them.
 */
export function runSettings(source: RunSettings): RunSettings {
  return {
    ...(source.plan ? { plan: source.plan } : {}),
    ...(source.budget ? { budget: source.budget } : {}),
    ...(source.approvals ? { approvals: source.approvals } : {}),
    ...(source.forkedFrom ? { forkedFrom: source.forkedFrom } : {}),
  };
}

/**
 * Who runs the session: the named agent, or the capabilities it asked for (a routed session's
 * memo `agent` holds routing's earlier choice; running again routes again).
 */
export function agentChoice(memo: StoredMemo): Pick<StoredMemo, 'agent' | 'route'> {
  return memo.route ? { agent: '', route: memo.route } : { agent: memo.agent };
}
