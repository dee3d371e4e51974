import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import type { Logger } from 'pino';
import { temporalLogger } from './logging-temporal.js';

/**
 * The Temporal SDK runtime of this process: its log output (minus the notes every worker gives by
 * design: agent queue workers run activities only, so they poll for no workflow tasks, and no
 * worker polls for Nexus tasks) and, when an address is given, its own Prometheus metrics
 * (`temporal_*`: task slots, poll and schedule-to-start latencies, sticky cache, …).
 * Must run once, before any worker or connection exists.
 */
const EXPECTED =
  /^No (workflows|Nexus services) registered, not polling for (workflow|Nexus) tasks/;

export interface TemporalRuntimeOptions {
  /** host:port for the SDK's Prometheus endpoint (`/metrics`); omitted keeps it off. */
  sdkMetricsAddress?: string | undefined;
  /**
   * Where the SDK's log entries go (at that logger's level, with workflow and activity ids, the
   * Rust core's warnings forwarded too); without one, warnings and errors go to stderr.
   */
  logger?: Logger;
}

export function installTemporalRuntime(options: TemporalRuntimeOptions = {}): void {
  const skip = (message: string) => EXPECTED.test(message);
  Runtime.install({
    logger: options.logger
      ? temporalLogger(options.logger, { skip })
      : new DefaultLogger('WARN', (entry: LogEntry) => {
          if (skip(entry.message)) return;
          const meta =
            entry.meta && Object.keys(entry.meta).length > 0
              ? ` ${JSON.stringify(entry.meta)}`
              : '';
          console.error(`[temporal ${entry.level}] ${entry.message}${meta}`);
        }),
    telemetryOptions: {
      // The core's own lines (warnings and up) join the process's log instead of going to stderr
      // in another format.
      ...(options.logger ? { logging: { forward: {} } } : {}),
      ...(options.sdkMetricsAddress
        ? {
            metrics: {
              prometheus: {
                bindAddress: options.sdkMetricsAddress,
                countersTotalSuffix: true,
                useSecondsForDurations: true,
                unitSuffix: true,
              },
            },
          }
        : {}),
    },
  });
}
