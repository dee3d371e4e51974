/**
 * The story of a session: prepare a workspace, then either run one agent step, or plan, run
 * the plan's tasks as child workflows, and merge their branches. Every completed step is a
 * checkpoint (numbered and hash-chained by the session's control room, session-control.ts).
 * Status lives in the SessionStatus search attribute (for lists and filters) and is answered by
 * the `state` query; log lines never enter history, the activities stream them.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  condition,
  isCancellation,
  makeContinueAsNewFunc,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { OrchestratorActivities } from '@orchestrator/activities/contracts';
import { NO_USAGE } from './budget.js';
import { describeFailure } from './failure.js';
import { stateQuery } from './messages.js';
import { AgentNameKey, SessionStatusKey } from './search-attributes.js';
import { SessionControl, type ControlledState } from './session-control.js';
import {
  chooseAgent,
  mergeStep,
  planStep,
  runStep,
  workspaceActivities,
  type StepHost,
} from './steps.js';
import { runPlan } from './tree-runner.js';
import {
  PLAN_DEFAULTS,
  PLAN_LIMITS,
  TERMINAL_STATUSES,
  type Plan,
  type ResumeState,
  type SessionInput,
  type SessionState,
  type SessionStatus,
} from './types.js';

/**
 * A terminal status is published by a regular (not local) activity on purpose: it is scheduled
 * in the same workflow task completion as the search attribute upsert, so by the time a client
 * hears "completed" on the log bus, Temporal already answers "completed" too.
 */
const { publishStatus } = proxyActivities<OrchestratorActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 5 },
});

/**
 * Any other status (running, paused, awaiting approval) is published by a local activity: it
 * runs inside the workflow task, so the session does not wait for an activity task round trip
 * and a second workflow task before its workspace is prepared (the bench measured them as most
 * of a no-op session's overhead besides git). A viewer may hear "running" a moment before
 * Temporal's visibility says so; the session is no less running.
 */
const { publishStatus: publishStatusLocally } = proxyLocalActivities<OrchestratorActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 5 },
});

/** Histories recorded before non-terminal statuses went local replay with the regular activity. */
const LOCAL_STATUS_PATCH = 'publish-non-terminal-status-locally';

/** Thrown out of the story when the session should continue as new (caught below). */
class ContinueAsNewRequest extends Error {
  constructor(readonly resume: ResumeState) {
    super('continue as new');
  }
}

export async function session(input: SessionInput): Promise<SessionState> {
  const resume = input.resume;
  const state: ControlledState = {
    status: 'pending',
    workspace: null,
    checkpoints: resume?.checkpoints ?? [],
    error: null,
    tokensUsed: resume?.usage.tokens ?? 0,
    agent: resume?.agent ?? (input.agent || null),
    usage: resume?.usage ?? NO_USAGE,
    budget: resume?.budget ?? input.budget ?? {},
    pending: [],
    decisions: resume?.decisions ?? [],
    paused: resume?.paused ?? false,
    tree: resume?.tree ?? [],
    outcome: null,
    forkedFrom: input.forkedFrom ?? null,
    runs: (resume?.runs ?? 0) + 1,
  };
  setHandler(stateQuery, () => state);
  const settings = {
    maxDepth: Math.min(input.plan?.maxDepth ?? PLAN_DEFAULTS.maxDepth, PLAN_LIMITS.maxDepth),
    maxChildren: Math.min(
      input.plan?.maxChildren ?? PLAN_DEFAULTS.maxChildren,
      PLAN_LIMITS.maxChildren,
    ),
    ...(input.plan?.planner ? { planner: input.plan.planner } : {}),
  };
  const control = new SessionControl(
    state,
    Math.min(input.plan?.maxParallel ?? PLAN_DEFAULTS.maxParallel, PLAN_LIMITS.maxParallel),
    resume ? Date.parse(resume.startedAt) : Date.now(),
  );
  control.install();
  const { prepareWorkspace } = workspaceActivities(input.options);
  const workflowId = workflowInfo().workflowId;
  let steps = resume?.steps ?? 0;
  const host: StepHost = {
    sessionId: input.sessionId,
    workflowId,
    taskPath: '',
    options: input.options,
    acquire: () => control.acquireLocal(),
    release: async (permit, checkpoint, usage) => control.settle(permit, checkpoint, usage),
    nextStep: () => ++steps,
    waitForOperator: (gate, reason) => control.waitForDecision(gate, '', reason),
  };

  async function setStatus(status: SessionStatus, detail?: string): Promise<void> {
    state.status = status;
    // upsertSearchAttributes with the typed key form keeps the attribute's type checked.
    upsertSearchAttributes([{ key: SessionStatusKey, value: status }]);
    const publish =
      !TERMINAL_STATUSES.includes(status) && patched(LOCAL_STATUS_PATCH)
        ? publishStatusLocally
        : publishStatus;
    await publish({ sessionId: input.sessionId, status, ...(detail ? { detail } : {}) });
  }

  /** Follows pause, approvals and the budget gate in SessionStatus while the story runs. */
  async function followStatus(): Promise<never> {
    for (;;) {
      await condition(() => !control.finished && control.desiredStatus() !== state.status);
      const pending = state.pending[0];
      await setStatus(control.desiredStatus(), pending?.reason);
    }
  }

  /**
   * Whether to continue as new at the next quiet moment (no task running): Temporal suggests it
   * as the history grows (about 4,000 events), or the options set a lower bound for tests. A
   * task costs the session about 35 events (its permits, reports and child events).
   */
  const continueAsNewDue = () => {
    const info = workflowInfo();
    const limit = input.options?.continueAsNewAfterEvents;
    return info.continueAsNewSuggested || (limit !== undefined && info.historyLength >= limit);
  };

  /** The last commit this workflow recorded: where its workspace must be. */
  const lastCommit = (fallback: string | null) =>
    [...state.checkpoints].reverse().find((c) => c.workflowId === workflowId && c.commitSha)
      ?.commitSha ?? fallback;

  async function story(): Promise<string> {
    const workspace = await prepareWorkspace({
      sessionId: input.sessionId,
      repository: input.repository,
      ...(input.forkedFrom
        ? {
            from: { sessionId: input.forkedFrom.sessionId, commitSha: input.forkedFrom.commitSha },
          }
        : {}),
    });
    state.workspace = workspace.path;

    if (!input.plan) {
      const choice = await chooseAgent(
        input.sessionId,
        input.agent,
        input.route?.capabilities ?? [],
        input.route?.minTier,
      );
      if (choice.routing) {
        upsertSearchAttributes([{ key: AgentNameKey, value: choice.agent }]);
        upsertMemo({ agent: choice.agent });
      }
      state.agent = choice.agent;
      const { result } = await runStep(host, {
        choice,
        role: 'work',
        goal: input.goal,
        taskGoal: input.goal,
        workspace: workspace.path,
        baseSha: lastCommit(workspace.baseSha),
      });
      return result.summary;
    }

    let plan: Plan;
    let headSha: string | null;
    if (resume) {
      ({ plan, planHeadSha: headSha } = resume);
    } else {
      const planner = await chooseAgent(input.sessionId, settings.planner, ['plan']);
      state.agent = planner.agent;
      ({ plan, headSha } = await planStep(host, {
        choice: planner,
        goal: input.goal,
        workspace: workspace.path,
        baseSha: lastCommit(workspace.baseSha),
        maxChildren: settings.maxChildren,
      }));
      if (input.approvals?.afterPlan) {
        await gate('plan', `approve the plan of ${plan.tasks.length} task(s) before it runs`);
      }
    }
    const run = await runPlan(
      {
        sessionId: input.sessionId,
        rootWorkflowId: workflowId,
        parentPath: '',
        depth: 1,
        repository: input.repository,
        workspace: workspace.path,
        baseSha: headSha,
        settings,
        options: input.options,
        report: async (nodes) => control.updateNodes(nodes),
      },
      plan,
      {
        ...(resume
          ? {
              resume: {
                nodes: resume.tree.filter((node) => !node.path.includes('.')),
                results: resume.results,
                completedBranches: resume.completedBranches,
              },
            }
          : {}),
        shouldYield: continueAsNewDue,
      },
    );
    if (run.yielded) {
      throw new ContinueAsNewRequest({
        startedAt: new Date(control.startedMs).toISOString(),
        runs: state.runs ?? 1,
        steps,
        checkpoints: state.checkpoints,
        tree: state.tree,
        usage: state.usage,
        budget: state.budget,
        decisions: state.decisions,
        paused: state.paused,
        agent: state.agent ?? null,
        plan,
        planHeadSha: headSha,
        results: run.progress.results,
        completedBranches: run.progress.completedBranches,
      });
    }
    const outcome = run;
    state.outcome = {
      completed: outcome.completed,
      failed: outcome.failed,
      skipped: outcome.skipped,
    };
    if (outcome.completedBranches.length > 0) {
      if (input.approvals?.beforeMerge) {
        await gate('merge', `approve merging ${outcome.completedBranches.length} task branch(es)`);
      }
      await mergeStep(host, {
        workspace: workspace.path,
        branches: outcome.completedBranches,
        baseSha: lastCommit(headSha),
        resolver: () => chooseAgent(input.sessionId, input.agent, ['code']),
      });
    }
    if (outcome.failed + outcome.skipped > 0) {
      throw ApplicationFailure.create({
        type: 'PartialCompletion',
        message:
          `partial completion: ${outcome.completed} of ${plan.tasks.length} task(s) completed ` +
          `(their work is merged); ${outcome.problems.join('; ')}`,
        nonRetryable: true,
      });
    }
    return `${outcome.completed} task(s) completed and merged`;
  }

  async function gate(kind: 'plan' | 'merge', reason: string): Promise<void> {
    const decision = await control.waitForDecision(kind, '', reason);
    if (decision.decision === 'rejected') {
      throw ApplicationFailure.create({
        type: 'Rejected',
        message: `The ${kind} was rejected by ${decision.by}${decision.comment ? `: ${decision.comment}` : ''}`,
        nonRetryable: true,
      });
    }
  }

  const storyScope = new CancellationScope();
  try {
    await setStatus('running');
    // Only the story ends the race. The loops beside it are not cancellable: a stop must wait
    // for the story's agent to confirm it killed its processes, not end with the first loop
    // that notices the cancellation.
    const summary = await Promise.race([
      storyScope.run(story),
      CancellationScope.nonCancellable(followStatus),
      CancellationScope.nonCancellable(() => control.dispatch()),
      CancellationScope.nonCancellable(async () => {
        await condition(() => control.rejection !== null);
        storyScope.cancel();
        return new Promise<string>(() => undefined);
      }),
    ]);
    control.finished = true;
    await setStatus('completed', summary);
    return state;
  } catch (error) {
    control.finished = true;
    if (error instanceof ContinueAsNewRequest) {
      // Updates in flight (a decision being sent to a task) finish in this run first.
      await condition(allHandlersFinished);
      const info = workflowInfo();
      const next = makeContinueAsNewFunc<typeof session>({
        memo: info.memo ?? {},
        typedSearchAttributes: info.typedSearchAttributes,
      });
      return await next({ ...input, resume: error.resume });
    }
    if (control.rejection !== null) {
      state.error = control.rejection;
      await CancellationScope.nonCancellable(() => setStatus('failed', state.error ?? undefined));
      throw ApplicationFailure.create({
        type: 'Rejected',
        message: `Session ${workflowId} ${control.rejection}`,
        nonRetryable: true,
      });
    }
    // A stop is a stop even when the step it interrupted ended otherwise (its agent timed out
    // while being stopped, say): in the cancelled scope, publishing "failed" would throw before
    // anyone heard, and the session would close cancelled while SessionStatus says failed
    // (found by the chaos run, bench/chaos).
    if (isCancellation(error) || CancellationScope.current().consideredCancelled) {
      await CancellationScope.nonCancellable(() => setStatus('cancelled'));
      throw isCancellation(error)
        ? error
        : new CancelledFailure(
            'The session was stopped while its step ended',
            [],
            error instanceof Error ? error : undefined,
          );
    }
    state.error = describeFailure(error);
    await setStatus('failed', state.error);
    throw ApplicationFailure.create({
      type: 'SessionFailed',
      message: `Session ${workflowId} failed: ${state.error}`,
      nonRetryable: true,
      cause: error instanceof Error ? error : undefined,
    });
  }
}
