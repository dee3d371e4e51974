/**
 * Command-line options of `npm run bench` (`npm run bench -- --help`). Defaults are the full
 * run of issue #8 sized to finish in under 15 minutes on 2 cores; `--smoke` is the tiny run the
 * system test uses. Any option given explicitly overrides the preset.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { SESSION_STATUSES, type SessionStatus } from '@orchestrator/workflows/types';
import { WAITING_STATE_IDS, type WaitingStateId } from './figures/waiting-states.js';

export const FIGURE_GROUPS = [
  'latency',
  'throughput',
  'log-lines',
  'crash',
  'soak',
  'memory',
  'list',
] as const;
export type FigureGroup = (typeof FIGURE_GROUPS)[number];

export interface BenchOptions {
  smoke: boolean;
  /** Figure groups to run, in the order of FIGURE_GROUPS. */
  figures: FigureGroup[];
  latencySamples: number;
  latencyWarmup: number;
  throughputSessions: number;
  throughputConcurrency: number;
  /** Lines per run of the log throughput figure. */
  logLines: number;
  /** Lines per second of the log latency figure, and how long it lasts. */
  logRate: number;
  logSeconds: number;
  logLineBytes: number;
  crashRepeats: number;
  heartbeatTimeoutMs: number;
  soakSeconds: number;
  soakClients: number;
  soakSessions: number;
  soakTickMs: number;
  waitingSessions: number;
  waitingState: WaitingStateId;
  listSessions: number;
  listSamples: number;
  listStatus: SessionStatus;
  resultsDir: string;
  /** Write V8 CPU profiles of the gateway and the worker and print their hottest functions. */
  cpuProfile: boolean;
}

type Numeric = {
  [K in keyof BenchOptions]: BenchOptions[K] extends number ? K : never;
}[keyof BenchOptions];

const FULL: Omit<BenchOptions, 'resultsDir' | 'figures' | 'cpuProfile'> = {
  smoke: false,
  latencySamples: 100,
  latencyWarmup: 5,
  throughputSessions: 500,
  throughputConcurrency: 50,
  logLines: 200_000,
  logRate: 10_000,
  logSeconds: 5,
  logLineBytes: 100,
  crashRepeats: 3,
  // The production default: shorter ones fail steps on a loaded machine (see README).
  heartbeatTimeoutMs: 30_000,
  soakSeconds: 90,
  soakClients: 200,
  soakSessions: 50,
  soakTickMs: 200,
  waitingSessions: 1_000,
  waitingState: 'awaiting-approval',
  listSessions: 10_000,
  listSamples: 200,
  listStatus: 'running',
};

const SMOKE: Partial<BenchOptions> = {
  smoke: true,
  latencySamples: 3,
  latencyWarmup: 1,
  throughputSessions: 6,
  throughputConcurrency: 3,
  logLines: 2_000,
  logRate: 1_000,
  logSeconds: 1,
  crashRepeats: 1,
  heartbeatTimeoutMs: 10_000,
  soakSeconds: 4,
  soakClients: 4,
  soakSessions: 2,
  waitingSessions: 5,
  listSessions: 40,
  listSamples: 5,
};

/** Option name on the command line (kebab case) for each numeric option. */
const NUMERIC: Record<Numeric, string> = {
  latencySamples: 'latency-samples',
  latencyWarmup: 'latency-warmup',
  throughputSessions: 'throughput-sessions',
  throughputConcurrency: 'throughput-concurrency',
  logLines: 'log-lines',
  logRate: 'log-rate',
  logSeconds: 'log-seconds',
  logLineBytes: 'log-line-bytes',
  crashRepeats: 'crash-repeats',
  heartbeatTimeoutMs: 'heartbeat-timeout-ms',
  soakSeconds: 'soak-seconds',
  soakClients: 'soak-clients',
  soakSessions: 'soak-sessions',
  soakTickMs: 'soak-tick-ms',
  waitingSessions: 'waiting-sessions',
  listSessions: 'list-sessions',
  listSamples: 'list-samples',
};

export const USAGE = `Usage: npm run bench -- [options]

Measures the orchestrator side by side with raw Temporal and raw Redis on one Temporal dev
server, Postgres and Redis, prints a table and writes JSON under bench/results/.

  --smoke                     tiny run (a few sessions; figures computed once, not meaningful)
  --only <a,b,…>              figure groups: ${FIGURE_GROUPS.join(', ')}
  --results-dir <dir>         where the JSON goes (default bench/results)
  --cpu-profile               V8 CPU profiles of gateway and worker; prints their hottest functions
${Object.entries(NUMERIC)
  .map(([key, flag]) => `  --${flag} <n>`.padEnd(30) + `default ${FULL[key as Numeric]}`)
  .join('\n')}
  --waiting-state <id>        default ${FULL.waitingState} (${WAITING_STATE_IDS.join(', ')})
  --list-status <status>      default ${FULL.listStatus}
  --help
`;

function oneOf<T extends string>(flag: string, value: unknown, allowed: readonly T[]): T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    throw new Error(`--${flag} must be one of ${allowed.join(', ')}, got "${String(value)}"`);
  }
  return value as T;
}

export function parseBenchOptions(argv: string[]): BenchOptions | 'help' {
  const { values: parsed } = parseArgs({
    args: argv,
    strict: true,
    options: {
      smoke: { type: 'boolean' },
      only: { type: 'string' },
      'results-dir': { type: 'string' },
      'cpu-profile': { type: 'boolean' },
      'waiting-state': { type: 'string' },
      'list-status': { type: 'string' },
      help: { type: 'boolean' },
      ...Object.fromEntries(Object.values(NUMERIC).map((flag) => [flag, { type: 'string' }])),
    },
  });
  const values = parsed as Record<string, string | boolean | undefined>;
  if (values.help) return 'help';
  const options: BenchOptions = {
    ...FULL,
    ...(values.smoke ? SMOKE : {}),
    figures: [...FIGURE_GROUPS],
    resultsDir: resolve(String(values['results-dir'] ?? 'bench/results')),
    cpuProfile: Boolean(values['cpu-profile']),
  };
  for (const [key, flag] of Object.entries(NUMERIC) as Array<[Numeric, string]>) {
    const raw = values[flag];
    if (raw === undefined) continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`--${flag} must be a positive integer, got "${String(raw)}"`);
    }
    options[key] = value;
  }
  if (values.only !== undefined) {
    const wanted = String(values.only)
      .split(',')
      .map((name) => name.trim());
    const unknown = wanted.filter((name) => !(FIGURE_GROUPS as readonly string[]).includes(name));
    if (unknown.length > 0) {
      throw new Error(
        `--only: unknown figure group ${unknown.join(', ')}; expected ${FIGURE_GROUPS.join(', ')}`,
      );
    }
    options.figures = FIGURE_GROUPS.filter((group) => wanted.includes(group));
  }
  const waiting = values['waiting-state'];
  if (waiting !== undefined)
    options.waitingState = oneOf('waiting-state', waiting, WAITING_STATE_IDS);
  const status = values['list-status'];
  if (status !== undefined) options.listStatus = oneOf('list-status', status, SESSION_STATUSES);
  if (options.throughputConcurrency > options.throughputSessions) {
    options.throughputConcurrency = options.throughputSessions;
  }
  return options;
}
