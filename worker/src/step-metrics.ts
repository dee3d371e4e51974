/**
 * An activity interceptor that turns agent steps and session status changes into metrics,
 * without the activities knowing about Prometheus.
 */
import type { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { WorkerMetrics, StepOutcome } from './metrics.js';

interface StepUsage {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  costUsd?: number;
}

function outcomeOf(error: unknown, context: Context): StepOutcome {
  if (context.cancellationSignal.aborted || error instanceof CancelledFailure) return 'cancelled';
  if (error instanceof ApplicationFailure && error.nonRetryable) return 'failed';
  return 'error';
}

function recordUsage(
  metrics: WorkerMetrics,
  agent: string,
  usage: StepUsage | null | undefined,
): void {
  if (!usage) return;
  const types: Array<[string, number | undefined]> = [
    ['input', usage.inputTokens],
    ['output', usage.outputTokens],
    ['cache_read', usage.cacheReadTokens],
    ['cache_write', usage.cacheWriteTokens],
  ];
  for (const [type, value] of types) {
    if (value && value > 0) metrics.tokens.inc({ agent, type }, value);
  }
  if (usage.costUsd && usage.costUsd > 0) metrics.costUsd.inc({ agent }, usage.costUsd);
}

export function stepMetricsInterceptor(metrics: WorkerMetrics): ActivityInterceptorsFactory {
  return (context) => ({
    inbound: {
      execute: async (input, next) => {
        const { activityType, attempt } = context.info;
        if (activityType === 'publishStatus') {
          const result = await next(input);
          const { status } = input.args[0] as { status: string };
          metrics.sessionTransitions.inc({ status });
          return result;
        }
        if (activityType !== 'runAgentStep') return next(input);

        const { agent } = input.args[0] as { agent: string };
        if (attempt > 1) metrics.stepRetries.inc({ agent });
        metrics.stepsRunning.inc({ agent });
        const stopTimer = metrics.stepDuration.startTimer({ agent });
        let outcome: StepOutcome = 'completed';
        try {
          const result = (await next(input)) as { usage?: StepUsage | null; lines?: number };
          recordUsage(metrics, agent, result.usage);
          if (result.lines) metrics.logLines.inc({ agent }, result.lines);
          return result;
        } catch (error) {
          outcome = outcomeOf(error, context);
          if (error instanceof ApplicationFailure && error.type === 'AgentStalledError') {
            metrics.agentStalls.inc({ agent });
          }
          throw error;
        } finally {
          metrics.stepsRunning.dec({ agent });
          stopTimer({ outcome });
          metrics.steps.inc({ agent, outcome });
        }
      },
    },
  });
}
