/**
 * The session workflow's control room, for the whole task tree: it hands out step permits
 * (at most `maxParallel` agent steps at once, none while paused or over budget), numbers and
 * chains every checkpoint, sums usage, keeps the tree, and waits for operators' decisions.
 * Tasks reach it through signals (messages.ts); operators through signals and updates.
 */
import {
  condition,
  getExternalWorkflowHandle,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { addUsage, budgetExceeded, wallTimeLeft } from './budget.js';
import { appendCheckpoint } from './checkpoint.js';
import {
  approveUpdate,
  gateDecisionSignal,
  gateRequestSignal,
  pauseSignal,
  rejectUpdate,
  resumeSignal,
  setBudgetUpdate,
  stepGrantSignal,
  stepReleaseSignal,
  stepRequestSignal,
  taskUpdateSignal,
  type DecisionRequest,
} from './messages.js';
import { TokensUsedKey } from './search-attributes.js';
import type {
  ApprovalDecision,
  Budget,
  CheckpointDraft,
  PendingApproval,
  SessionState,
  SessionStatus,
  TaskNode,
  Usage,
} from './types.js';

/** The session state with every part the control room keeps. */
export type ControlledState = SessionState & {
  usage: Usage;
  budget: Budget;
  pending: PendingApproval[];
  decisions: ApprovalDecision[];
  tree: TaskNode[];
  paused: boolean;
};

interface PermitRequest {
  requestId: string;
  /** '' for the session's own steps. */
  workflowId: string;
}

export class SessionControl {
  private readonly queue: PermitRequest[] = [];
  private readonly granted = new Set<string>();
  private running = 0;
  private localRequests = 0;
  private readonly decided = new Map<string, ApprovalDecision>();
  /** Gates tasks opened: where each decision must be sent. */
  private readonly remoteGates = new Map<string, string>();
  /** Set when an operator rejected: the session must end with this reason. */
  rejection: string | null = null;
  /** Once the story ends, the status is the story's to set. */
  finished = false;

  constructor(
    readonly state: ControlledState,
    private readonly maxParallel: number,
    /** When the session started (its first run): the wall-time budget counts from here. */
    readonly startedMs: number,
  ) {}

  install(): void {
    setHandler(stepRequestSignal, (request) => {
      this.queue.push(request);
      this.publishLoad();
    });
    setHandler(stepReleaseSignal, ({ requestId, checkpoint, usage }) => {
      this.settle(requestId === '' ? null : requestId, checkpoint, usage);
    });
    setHandler(taskUpdateSignal, ({ nodes }) => this.updateNodes(nodes));
    setHandler(gateRequestSignal, ({ gate, taskPath, reason, workflowId }) => {
      this.remoteGates.set(`${gate}:${taskPath}`, workflowId);
      this.state.pending.push({ gate, taskPath, reason, since: new Date().toISOString() });
    });
    setHandler(pauseSignal, () => {
      this.state.paused = true;
    });
    setHandler(resumeSignal, () => {
      this.state.paused = false;
    });
    setHandler(setBudgetUpdate, ({ budget }) => {
      this.state.budget = budget;
      this.refreshBudgetGate();
      return this.state.budget;
    });
    setHandler(approveUpdate, (request) => this.decideAndTell(request, 'approved'), {
      validator: (request) => this.validateDecision(request, 'approved'),
    });
    setHandler(rejectUpdate, (request) => this.decideAndTell(request, 'rejected'), {
      validator: (request) => this.validateDecision(request, 'rejected'),
    });
  }

  /** What the state query tells about permits (a query only reads it: no command changes). */
  private publishLoad(): void {
    const own = workflowInfo().workflowId;
    this.state.steps = {
      running: this.running,
      waiting: this.queue.length,
      queued: this.queue.map((request) => request.workflowId || own),
    };
  }

  /** The status operators should see while the story runs. */
  desiredStatus(): SessionStatus {
    if (this.state.pending.length > 0) return 'awaiting_approval';
    if (this.state.paused) return 'paused';
    return 'running';
  }

  /** Grants permits forever (run it beside the story; it never returns). */
  async dispatch(): Promise<never> {
    for (;;) {
      const ready = () =>
        this.queue.length > 0 &&
        this.running < this.maxParallel &&
        !this.state.paused &&
        this.state.pending.every((approval) => approval.gate !== 'budget');
      const left = wallTimeLeft(this.state.budget, Date.now() - this.startedMs);
      // A wall-time limit passes while nobody signals: wake up when it does.
      if (left !== undefined && left > 0) await condition(ready, left);
      else await condition(ready);
      if (!ready()) continue;
      if (this.refreshBudgetGate()) continue;
      const request = this.queue.shift() as PermitRequest;
      this.running++;
      this.publishLoad();
      if (request.workflowId === '') this.granted.add(request.requestId);
      else {
        await getExternalWorkflowHandle(request.workflowId).signal(stepGrantSignal, {
          requestId: request.requestId,
        });
      }
    }
  }

  /** A permit for the session's own step. */
  async acquireLocal(): Promise<string> {
    const requestId = `${workflowInfo().workflowId}#${++this.localRequests}`;
    this.queue.push({ requestId, workflowId: '' });
    this.publishLoad();
    await condition(() => this.granted.has(requestId));
    this.granted.delete(requestId);
    return requestId;
  }

  settle(permit: string | null, draft: CheckpointDraft | null, usage: Usage): void {
    if (permit !== null) this.running = Math.max(0, this.running - 1);
    this.publishLoad();
    this.state.usage = addUsage(this.state.usage, usage);
    if (usage.tokens > 0) {
      this.state.tokensUsed = this.state.usage.tokens;
      upsertSearchAttributes([{ key: TokensUsedKey, value: this.state.tokensUsed }]);
    }
    if (draft) {
      this.state.checkpoints.push(appendCheckpoint(this.state.checkpoints, draft));
      const node = this.state.tree.find((n) => n.path === draft.taskPath);
      if (node) node.usage = addUsage(node.usage, usage);
    }
  }

  updateNodes(nodes: TaskNode[]): void {
    for (const incoming of nodes) {
      const index = this.state.tree.findIndex((node) => node.path === incoming.path);
      // Usage is the session's to count (from releases); the task's copy may lag.
      if (index >= 0) {
        const current = this.state.tree[index] as TaskNode;
        this.state.tree[index] = { ...incoming, usage: current.usage };
      } else this.state.tree.push(incoming);
    }
  }

  /**
   * Opens the budget gate when a limit is reached (and closes it when a raised budget allows
   * steps again); answers whether it is open.
   */
  refreshBudgetGate(): boolean {
    const reason = budgetExceeded(this.state.budget, this.state.usage, Date.now() - this.startedMs);
    const open = this.state.pending.find((approval) => approval.gate === 'budget');
    if (reason && !open) {
      this.state.pending.push({
        gate: 'budget',
        taskPath: '',
        reason: `${reason}; raise the budget to go on, or stop the session`,
        since: new Date().toISOString(),
      });
    }
    if (!reason && open) {
      this.state.pending = this.state.pending.filter((approval) => approval.gate !== 'budget');
    }
    return reason !== null;
  }

  /** Waits for an operator to decide at a gate; a rejection ends the session. */
  async waitForDecision(
    gate: PendingApproval['gate'],
    taskPath: string,
    reason: string,
  ): Promise<ApprovalDecision> {
    const key = `${gate}:${taskPath}`;
    this.state.pending.push({ gate, taskPath, reason, since: new Date().toISOString() });
    await condition(() => this.decided.has(key));
    const decision = this.decided.get(key) as ApprovalDecision;
    this.decided.delete(key);
    return decision;
  }

  private findPending(request: DecisionRequest): PendingApproval | undefined {
    const matching = this.state.pending.filter(
      (approval) =>
        (request.gate === undefined || approval.gate === request.gate) &&
        (request.taskPath === undefined || approval.taskPath === request.taskPath),
    );
    return matching.length === 1 ? matching[0] : undefined;
  }

  private validateDecision(request: DecisionRequest, decision: ApprovalDecision['decision']) {
    if (typeof request?.by !== 'string' || request.by === '') {
      throw new Error('A decision must say who made it (by).');
    }
    const pending = this.findPending(request);
    if (!pending) {
      const waiting = this.state.pending.map((p) =>
        p.taskPath ? `${p.gate} (task ${p.taskPath})` : p.gate,
      );
      if (waiting.length === 0) throw new Error('Nothing is waiting for approval.');
      if (request.gate !== undefined || request.taskPath !== undefined) {
        throw new Error(`No such gate waits; waiting: ${waiting.join(', ')}.`);
      }
      throw new Error(`Several gates wait (${waiting.join(', ')}); name one.`);
    }
    if (pending.gate === 'budget' && decision === 'approved') {
      throw new Error('The budget is exhausted: raise it (setBudget) to go on, or reject to stop.');
    }
  }

  /** Decides; a task's gate hears the decision by signal (the update answers once it is sent). */
  private async decideAndTell(
    request: DecisionRequest,
    decision: ApprovalDecision['decision'],
  ): Promise<ApprovalDecision> {
    const record = this.decide(request, decision);
    const key = `${record.gate}:${record.taskPath}`;
    const workflowId = this.remoteGates.get(key);
    if (workflowId) {
      this.remoteGates.delete(key);
      this.decided.delete(key);
      await getExternalWorkflowHandle(workflowId).signal(gateDecisionSignal, record);
    }
    return record;
  }

  private decide(
    request: DecisionRequest,
    decision: ApprovalDecision['decision'],
  ): ApprovalDecision {
    const pending = this.findPending(request) as PendingApproval;
    const record: ApprovalDecision = {
      gate: pending.gate,
      taskPath: pending.taskPath,
      decision,
      by: request.by,
      comment: request.comment ?? '',
      at: new Date().toISOString(),
    };
    this.state.pending = this.state.pending.filter((approval) => approval !== pending);
    this.state.decisions.push(record);
    if (pending.gate === 'budget') {
      this.rejection = `stopped at the budget by ${record.by}${record.comment ? `: ${record.comment}` : ''}`;
    } else this.decided.set(`${pending.gate}:${pending.taskPath}`, record);
    return record;
  }
}
