/**
 * OpenTelemetry tracing of a worker process: the SDK (exporter, sampler, resource from the
 * standard OTEL_* variables) and what the workers need to take part in the session's trace:
 *
 * - the workflow interceptors module, bundled into the workflow code (`RunWorkflow:session`
 *   continues the trace the gateway's client started; `StartActivity:*` passes it on);
 * - activity interceptors (`RunActivity:*`, a child of its `StartActivity`; the agent step's
 *   `invoke_agent` span and the agent process's TRACEPARENT hang below it);
 * - the sink that takes the workflow's spans out of the sandbox (tracing-workflow-spans.ts).
 *
 * Off unless the OTEL_* variables ask for traces (activities' tracing-settings.ts): then
 * `startWorkerTracing` returns null, and the SDK, the interceptors and their modules are not
 * even loaded.
 */
import { createRequire } from 'node:module';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import { readTracingSettings } from '@orchestrator/activities/tracing-settings';

export interface WorkerTracing {
  /** For bundleWorkflows: tracing in the workflow code is decided when it is bundled. */
  workflowInterceptorModules: string[];
  activityInterceptors: ActivityInterceptorsFactory[];
  /** For the worker that runs workflows. */
  workflowSinks: InjectedSinks<OpenTelemetrySinks>;
  /** Exports the spans still buffered and stops the SDK (on shutdown, before exit). */
  shutdown(): Promise<void>;
}

export interface WorkerTracingOptions {
  /** service.name unless OTEL_SERVICE_NAME sets one. */
  serviceName: string;
}

export async function startWorkerTracing(
  options: WorkerTracingOptions,
): Promise<WorkerTracing | null> {
  const settings = readTracingSettings(process.env);
  if (!settings.enabled) return null;
  const [{ NodeSDK }, otel, { ReplayingIdGenerator, replayWorkflowSpans }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@temporalio/interceptors-opentelemetry'),
    import('./tracing-workflow-spans.js'),
  ]);
  const ids = new ReplayingIdGenerator();
  const sdk = new NodeSDK({
    ...(settings.serviceName ? {} : { serviceName: options.serviceName }),
    idGenerator: ids,
    // Traces only: metrics are Prometheus (/metrics), logs are pino lines on stdout.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return {
    workflowInterceptorModules: [
      createRequire(import.meta.url).resolve('@orchestrator/workflows/tracing-interceptors'),
    ],
    activityInterceptors: [
      (context) => ({
        inbound: new otel.OpenTelemetryActivityInboundInterceptor(context),
        outbound: new otel.OpenTelemetryActivityOutboundInterceptor(context),
      }),
    ],
    workflowSinks: {
      exporter: { export: { fn: (info, spans) => replayWorkflowSpans(ids, info, spans) } },
    },
    shutdown: () => sdk.shutdown(),
  };
}
