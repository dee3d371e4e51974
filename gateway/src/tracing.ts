/**
 * OpenTelemetry tracing of a gateway process: the SDK (exporter, sampler, resource from the
 * standard OTEL_* variables), started before anything is traced. What the gateway then traces
 * (service.ts turns it on): every HTTP request as a server span (tracing-http.ts), and the
 * Temporal client's calls as its children (`StartWorkflow:session`, …), whose context goes to
 * the workflow in its start headers, so a session's trace begins at `POST /api/sessions`.
 *
 * Off unless the OTEL_* variables ask for traces (activities' tracing-settings.ts): then nothing
 * is loaded or installed.
 */
import type { Server } from 'node:http';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { readTracingSettings } from '@orchestrator/activities/tracing-settings';

export interface GatewayTracing {
  /** Exports the spans still buffered and stops the SDK (on shutdown, before exit). */
  shutdown(): Promise<void>;
}

export async function startGatewayTracing(options: {
  /** service.name unless OTEL_SERVICE_NAME sets one. */
  serviceName: string;
}): Promise<GatewayTracing | null> {
  const settings = readTracingSettings(process.env);
  if (!settings.enabled) return null;
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const sdk = new NodeSDK({
    ...(settings.serviceName ? {} : { serviceName: options.serviceName }),
    // Traces only: metrics are Prometheus (/metrics), logs are pino lines on stdout.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}

/** What the gateway installs when the process traces (the SDK may be the embedded worker's). */
export interface GatewayTracingHooks {
  workflowClientInterceptors: WorkflowClientInterceptor[];
  traceServer(server: Server): void;
}

export async function loadGatewayTracingHooks(): Promise<GatewayTracingHooks> {
  const [otel, http] = await Promise.all([
    import('@temporalio/interceptors-opentelemetry'),
    import('./tracing-http.js'),
  ]);
  return {
    workflowClientInterceptors: [new otel.OpenTelemetryWorkflowClientInterceptor()],
    traceServer: http.traceHttpServer,
  };
}
