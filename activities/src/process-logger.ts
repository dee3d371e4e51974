/**
 * The logger of every process (worker, gateway, the embedded `npm start`): pino, JSON lines by
 * default, human-readable through pino-pretty in development.
 *
 * LOG_FORMAT: `json` or `pretty`; unset means pretty when stdout is a terminal and JSON otherwise
 * (containers, CI, files). LOG_LEVEL: a pino level (default `info`).
 */
import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';

export type LogFormat = 'json' | 'pretty';

export interface ProcessLoggerOptions {
  name: string;
  env?: NodeJS.ProcessEnv;
  /** Whether stdout is a terminal (decides the format when LOG_FORMAT is unset). */
  stdoutIsTTY?: boolean;
  /** Fields added to every line, computed when it is written (pino's `mixin`). */
  mixin?: () => Record<string, unknown>;
  /** Where JSON lines go instead of stdout (tests). */
  destination?: pino.DestinationStream;
}

export function readLogFormat(env: NodeJS.ProcessEnv, stdoutIsTTY: boolean): LogFormat {
  const value = env.LOG_FORMAT?.trim().toLowerCase();
  if (!value) return stdoutIsTTY ? 'pretty' : 'json';
  if (value === 'json' || value === 'pretty') return value;
  throw new Error(
    `LOG_FORMAT must be "json" or "pretty" (or unset: pretty on a terminal, JSON otherwise), ` +
      `got "${env.LOG_FORMAT}".`,
  );
}

export function createProcessLogger(options: ProcessLoggerOptions): Logger {
  const env = options.env ?? process.env;
  const format = readLogFormat(env, options.stdoutIsTTY ?? process.stdout.isTTY === true);
  const settings: pino.LoggerOptions = {
    name: options.name,
    level: env.LOG_LEVEL ?? 'info',
    ...(options.mixin ? { mixin: options.mixin } : {}),
  };
  if (options.destination) return pino(settings, options.destination);
  if (format === 'json') return pino(settings);
  const target = prettyPrinter();
  if (target) return pino(settings, pino.transport({ target, options: { colorize: true } }));
  const logger = pino(settings);
  logger.warn('LOG_FORMAT=pretty, but pino-pretty is not installed here: logging JSON');
  return logger;
}

/**
 * pino-pretty is a development convenience that a production image may leave out; a missing
 * pretty printer must not keep a process from starting.
 */
function prettyPrinter(): string | null {
  try {
    return createRequire(import.meta.url).resolve('pino-pretty');
  } catch {
    return null;
  }
}
