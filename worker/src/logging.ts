/**
 * The worker's process logger (activities' process-logger.ts: JSON lines, pretty in dev) with
 * every line written while an activity runs carrying that activity's session, workflow, run
 * and activity ids (logging-context.ts), so a line found in a log search leads to its session,
 * its run in Temporal Web and its activity. The SDK's own lines get the same fields through
 * logging-temporal.ts.
 */
import type { Logger } from 'pino';
import {
  createProcessLogger,
  type ProcessLoggerOptions,
} from '@orchestrator/activities/process-logger';
import { activityLogContext } from './logging-context.js';

export function createWorkerLogger(options: Omit<ProcessLoggerOptions, 'mixin'>): Logger {
  return createProcessLogger({ ...options, mixin: activityLogContext });
}
