/**
 * Options of `npm run chaos` (`npm run chaos -- --help`). The defaults are the full run of
 * issue #8: 100 sessions, three worker and three gateway kills, one Temporal and one Redis
 * restart, in a few minutes on 2 cores.
 */
import { parseArgs } from 'node:util';

export interface ChaosOptions {
  sessions: number;
  /** Numbered lines per completing or failing session. */
  lines: number;
  /** Between two lines of an agent. */
  intervalMs: number;
  /** Pause between two session starts. */
  startIntervalMs: number;
  /** Steps a worker runs at once per agent. */
  maxConcurrency: number;
  workerKills: number;
  gatewayKills: number;
  temporalRestarts: number;
  redisRestarts: number;
  /** Quiet time after one outage ended before the next one starts. */
  minGapMs: number;
  /** A step on a killed worker is retried after this. */
  heartbeatTimeoutMs: number;
  /** After a restart, how long clients may still see errors while they reconnect. */
  graceMs: number;
  /** How long sessions may take to settle once the chaos is over. */
  settleTimeoutMs: number;
  /** Keep the run directory (logs, SQLite file) even when every check passed. */
  keep: boolean;
}

export const DEFAULT_CHAOS_OPTIONS: ChaosOptions = {
  sessions: 100,
  lines: 40,
  intervalMs: 150,
  startIntervalMs: 700,
  maxConcurrency: 30,
  workerKills: 3,
  gatewayKills: 3,
  temporalRestarts: 1,
  redisRestarts: 1,
  minGapMs: 3_000,
  heartbeatTimeoutMs: 5_000,
  graceMs: 3_000,
  settleTimeoutMs: 180_000,
  keep: false,
};

const FLAGS: Record<Exclude<keyof ChaosOptions, 'keep'>, string> = {
  sessions: 'sessions',
  lines: 'lines',
  intervalMs: 'interval-ms',
  startIntervalMs: 'start-interval-ms',
  maxConcurrency: 'max-concurrency',
  workerKills: 'worker-kills',
  gatewayKills: 'gateway-kills',
  temporalRestarts: 'temporal-restarts',
  redisRestarts: 'redis-restarts',
  minGapMs: 'min-gap-ms',
  heartbeatTimeoutMs: 'heartbeat-timeout-ms',
  graceMs: 'grace-ms',
  settleTimeoutMs: 'settle-timeout-ms',
};

export function chaosUsage(): string {
  const lines = Object.entries(FLAGS).map(
    ([key, flag]) =>
      `  --${flag.padEnd(22)} default ${DEFAULT_CHAOS_OPTIONS[key as keyof typeof FLAGS]}`,
  );
  return [
    'Usage: npm run chaos -- [options]',
    ...lines,
    '  --keep                   keep the run directory (logs, SQLite, AOF) after a passing run',
    '  --help',
  ].join('\n');
}

/** Parses argv; returns null for --help. Throws naming the flag on a bad value. */
export function parseChaosOptions(argv: string[]): ChaosOptions | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(
        Object.values(FLAGS).map((flag) => [flag, { type: 'string' as const }]),
      ),
      keep: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return null;
  const options: ChaosOptions = { ...DEFAULT_CHAOS_OPTIONS, keep: values.keep === true };
  for (const [key, flag] of Object.entries(FLAGS) as Array<[keyof typeof FLAGS, string]>) {
    const raw = (values as Record<string, string | boolean | undefined>)[flag];
    if (typeof raw !== 'string') continue;
    const value = Number(raw);
    const mayBeZero = key.endsWith('Kills') || key.endsWith('Restarts') || key.endsWith('Ms');
    if (!Number.isInteger(value) || value < (mayBeZero ? 0 : 1)) {
      throw new Error(
        `--${flag} must be an integer ${mayBeZero ? '≥ 0' : '≥ 1'}, got "${raw}". ${chaosUsage()}`,
      );
    }
    options[key] = value;
  }
  return options;
}
