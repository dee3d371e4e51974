import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';

/**
 * The Temporal SDK runtime of this process: its log output (warnings and errors, minus the one
 * warning every agent queue worker gives by design: it runs activities only, so it polls for no
 * workflow tasks) and, when an address is given, its own Prometheus metrics
 * (`temporal_*`: task slots, poll and schedule-to-start latencies, sticky cache, …).
 * Must run once, before any worker or connection exists.
 */
const EXPECTED = /^No workflows registered, not polling for workflow tasks/;

export interface TemporalRuntimeOptions {
  /** host:port for the SDK's Prometheus endpoint (`/metrics`); omitted keeps it off. */
  sdkMetricsAddress?: string | undefined;
}

export function installTemporalRuntime(options: TemporalRuntimeOptions = {}): void {
  Runtime.install({
    logger: new DefaultLogger('WARN', (entry: LogEntry) => {
      if (EXPECTED.test(entry.message)) return;
      const meta =
        entry.meta && Object.keys(entry.meta).length > 0 ? ` ${JSON.stringify(entry.meta)}` : '';
      console.error(`[temporal ${entry.level}] ${entry.message}${meta}`);
    }),
    ...(options.sdkMetricsAddress
      ? {
          telemetryOptions: {
            metrics: {
              prometheus: {
                bindAddress: options.sdkMetricsAddress,
                countersTotalSuffix: true,
                useSecondsForDurations: true,
                unitSuffix: true,
              },
            },
          },
        }
      : {}),
  });
}
