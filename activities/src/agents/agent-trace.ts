/**
 * The agent run as a span of the session's trace, and its context handed to the agent process.
 *
 * Only the OpenTelemetry API is used here: with no SDK registered in the process (tracing off,
 * the default) the span is a no-op and no context is injected, so nothing is recorded or passed.
 * With the SDK on, the span is a child of the activity's span (the worker's activity interceptor
 * makes that one active), and the agent process gets TRACEPARENT/TRACESTATE, the environment
 * carrier of W3C trace context, so an agent that reads it continues the same trace.
 */
import { context, propagation, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import type { AgentStepInput } from '../contracts.js';
import type { AgentRunResult } from './adapter.js';
import type { AgentConfig } from './types.js';

const tracer = trace.getTracer('@orchestrator/activities');

export interface AgentRunSpan {
  agent: Pick<AgentConfig, 'name' | 'kind'>;
  input: Pick<AgentStepInput, 'sessionId' | 'step'>;
  attempt: number;
}

/** Runs `run` inside an `invoke_agent <name>` span (GenAI semantic conventions' operation). */
export function traceAgentRun(
  what: AgentRunSpan,
  run: () => Promise<AgentRunResult>,
): Promise<AgentRunResult> {
  const attributes: Attributes = {
    'gen_ai.operation.name': 'invoke_agent',
    'gen_ai.agent.name': what.agent.name,
    'orchestrator.agent.kind': what.agent.kind,
    'orchestrator.session.id': what.input.sessionId,
    'orchestrator.step': what.input.step,
    'orchestrator.attempt': what.attempt,
  };
  return tracer.startActiveSpan(`invoke_agent ${what.agent.name}`, { attributes }, async (span) => {
    try {
      const result = await run();
      span.setAttributes({
        'process.exit.code': result.exitCode,
        ...(result.usage
          ? {
              'gen_ai.usage.input_tokens': result.usage.inputTokens,
              'gen_ai.usage.output_tokens': result.usage.outputTokens,
            }
          : {}),
      });
      return result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      span.recordException(error instanceof Error ? error : message);
      span.setStatus({ code: SpanStatusCode.ERROR, message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** TRACEPARENT (and TRACESTATE) of the active span; empty when there is no trace to join. */
export function traceEnvironment(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return {
    ...(carrier.traceparent ? { TRACEPARENT: carrier.traceparent } : {}),
    ...(carrier.tracestate ? { TRACESTATE: carrier.tracestate } : {}),
  };
}
