/**
 * Whether a process traces, from the standard OpenTelemetry variables, read the same way by the
 * worker and the gateway (each starts the SDK itself, see their tracing.ts).
 *
 * Tracing is opt-in: with none of these set, no SDK starts and no interceptor is installed, so it
 * costs nothing. (The SDK's own default would export to localhost:4318 whether or not anything
 * listens there.) It is on when OTEL_TRACES_EXPORTER names an exporter other than `none`
 * (`otlp`, `console`, `zipkin`), or when an OTLP endpoint is set (the exporter is then `otlp`);
 * OTEL_SDK_DISABLED=true turns it off whatever else is set. Everything else (protocol, headers,
 * sampler, batch delays, resource attributes) is the SDK's to read from the same variables.
 */
export type TracingSettings =
  | { enabled: false; reason: string }
  | {
      enabled: true;
      /** OTEL_SERVICE_NAME when set; the process picks its own name otherwise. */
      serviceName: string | null;
      /** The exporters the SDK will build (OTEL_TRACES_EXPORTER, `otlp` by default). */
      exporters: string[];
    };

const TRACE_EXPORTERS = ['otlp', 'console', 'zipkin'];

export function readTracingSettings(env: NodeJS.ProcessEnv = process.env): TracingSettings {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') {
    return { enabled: false, reason: 'OTEL_SDK_DISABLED=true' };
  }
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '' && name !== 'null');
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  // As the SDK reads the list: `none` first turns tracing off; mixed with others it means otlp.
  if (exporters[0] === 'none') return { enabled: false, reason: 'OTEL_TRACES_EXPORTER=none' };
  if (exporters.length === 0 && !endpoint) {
    return {
      enabled: false,
      reason: 'neither OTEL_TRACES_EXPORTER nor OTEL_EXPORTER_OTLP_ENDPOINT is set',
    };
  }
  const unknown = exporters.filter((name) => name !== 'none' && !TRACE_EXPORTERS.includes(name));
  if (unknown.length > 0) {
    // The SDK would only warn and trace into nothing; a typo should stop the process instead.
    throw new Error(
      `OTEL_TRACES_EXPORTER="${env.OTEL_TRACES_EXPORTER}" names no exporter this SDK has ` +
        `(${unknown.join(', ')}); use ${TRACE_EXPORTERS.join(', ')} (or none).`,
    );
  }
  return {
    enabled: true,
    serviceName: env.OTEL_SERVICE_NAME?.trim() || null,
    exporters: exporters.length === 0 || exporters.includes('none') ? ['otlp'] : exporters,
  };
}
