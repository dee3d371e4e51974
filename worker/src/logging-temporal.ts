/**
 * The Temporal SDK's logger (Runtime.logger) on top of pino. The SDK sends it everything it
 * logs: workflow code's `log` (through a sink, with the workflow's ids), activities'
 * `Context.log` and the SDK's own activity and workflow lifecycle lines (with the activity's
 * ids), worker state changes, and the Rust core's lines when they are forwarded. Going through
 * pino, they come out in the process's one format, with the same id fields as our own lines
 * (logging-context.ts).
 */
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/worker';
import type { Logger } from 'pino';
import { temporalLogFields } from './logging-context.js';

const PINO_LEVEL = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
} as const satisfies Record<LogLevel, string>;

export interface TemporalLoggerOptions {
  /** Entries not worth a line (a known, harmless warning). */
  skip?: (message: string) => boolean;
}

export function temporalLogger(
  logger: Logger,
  options: TemporalLoggerOptions = {},
): TemporalLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => {
    const method = PINO_LEVEL[level];
    if (!logger.isLevelEnabled(method) || options.skip?.(message)) return;
    const { error, ...fields } = temporalLogFields((meta ?? {}) as Record<string, unknown>);
    // pino serializes an Error (message, stack, cause) only under `err`.
    const failure = error instanceof Error ? { err: error } : error === undefined ? {} : { error };
    logger[method]({ ...fields, ...failure }, message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}
