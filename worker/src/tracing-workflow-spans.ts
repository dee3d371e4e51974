/**
 * Workflow spans, from the sandbox to this process's exporter.
 *
 * Temporal's workflow interceptors trace inside the sandbox with their own copy of the
 * OpenTelemetry SDK (sdk-trace-base 1.x, bundled with the workflow code) and hand every finished
 * span out through the `exporter` sink as plain data. Their own sink implementation
 * (`makeWorkflowExporter`) turns that data into a 1.x `ReadableSpan` (`parentSpanId`,
 * `instrumentationLibrary`) for a 1.x span processor; the SDK this process runs (sdk-node 0.301
 * on sdk-trace 3.x) reads `parentSpanContext` and `instrumentationScope` instead, so those spans
 * would lose their parent or fail to export.
 *
 * So each span is replayed here through the process's own tracer, with its ids, name, kind,
 * times, attributes, links, events and status: it then goes through the same sampler, processors
 * and exporter as every other span, with this process's resource. The ids are kept by the tracer
 * provider's id generator, which hands out the replayed span's ids during the replay and random
 * ones otherwise; the activity spans already point at those ids, through the headers.
 */
import { randomBytes } from 'node:crypto';
import { createTraceState, ROOT_CONTEXT, trace, type SpanContext } from '@opentelemetry/api';
import type { SerializableSpan } from '@temporalio/interceptors-opentelemetry';
import { workflowLogIds } from './logging-context.js';

/** The id generator of the worker's tracer provider (NodeSDK's `idGenerator`). */
export class ReplayingIdGenerator {
  private replaying: Pick<SpanContext, 'traceId' | 'spanId'> | null = null;

  generateTraceId(): string {
    return this.replaying?.traceId ?? randomHex(16);
  }

  generateSpanId(): string {
    return this.replaying?.spanId ?? randomHex(8);
  }

  /** Runs `start` (which starts exactly one span, synchronously) with that span's ids. */
  withIds<T>(ids: Pick<SpanContext, 'traceId' | 'spanId'>, start: () => T): T {
    this.replaying = ids;
    try {
      return start();
    } finally {
      this.replaying = null;
    }
  }
}

function randomHex(bytes: number): string {
  for (;;) {
    const id = randomBytes(bytes).toString('hex');
    // All zeroes is the W3C "invalid" id.
    if (/[^0]/.test(id)) return id;
  }
}

export interface WorkflowSpanSource {
  workflowId: string;
  runId: string;
  workflowType: string;
}

/** Re-emits a workflow's finished spans, tagged with its ids, through the global tracer. */
export function replayWorkflowSpans(
  ids: ReplayingIdGenerator,
  workflow: WorkflowSpanSource,
  spans: SerializableSpan[],
): void {
  const { sessionId } = workflowLogIds(workflow.workflowId);
  for (const span of spans) {
    const { traceState, ...context } = span.spanContext;
    const parent = span.parentSpanId
      ? trace.setSpanContext(ROOT_CONTEXT, {
          traceId: context.traceId,
          spanId: span.parentSpanId,
          traceFlags: context.traceFlags,
          isRemote: true,
          ...(traceState ? { traceState: createTraceState(traceState) } : {}),
        })
      : ROOT_CONTEXT;
    const scope = span.instrumentationLibrary;
    const tracer = trace.getTracer(scope.name, scope.version);
    const replayed = ids.withIds(context, () =>
      tracer.startSpan(
        span.name,
        {
          kind: span.kind,
          startTime: span.startTime,
          links: span.links,
          attributes: {
            ...span.attributes,
            // The attribute names Temporal's activity spans use, so both filter alike.
            temporalWorkflowId: workflow.workflowId,
            run_id: workflow.runId,
            temporalWorkflowType: workflow.workflowType,
            ...(sessionId ? { 'orchestrator.session.id': sessionId } : {}),
          },
        },
        parent,
      ),
    );
    for (const event of span.events) replayed.addEvent(event.name, event.attributes, event.time);
    replayed.setStatus(span.status);
    replayed.end(span.endTime);
  }
}
