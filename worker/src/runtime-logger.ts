import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';

/**
 * The Temporal SDK's own log output: warnings and errors, minus the one warning every agent
 * queue worker gives by design (it runs activities only, so it polls for no workflow tasks).
 */
const EXPECTED = /^No workflows registered, not polling for workflow tasks/;

export function installTemporalRuntimeLogger(): void {
  Runtime.install({
    logger: new DefaultLogger('WARN', (entry: LogEntry) => {
      if (EXPECTED.test(entry.message)) return;
      const meta =
        entry.meta && Object.keys(entry.meta).length > 0 ? ` ${JSON.stringify(entry.meta)}` : '';
      console.error(`[temporal ${entry.level}] ${entry.message}${meta}`);
    }),
  });
}
