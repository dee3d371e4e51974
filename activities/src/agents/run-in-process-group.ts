/**
 * Runs a command as the leader of a new process group and streams its output line by line.
 * The step ends when the leader exits; anything it left running in its group (a background
 * server, a forgotten `sleep &`) is stopped then, because it would hold the output pipes open
 * and keep the step from ever finishing, and it would outlive the step's checkpoint.
 */
import { execa } from 'execa';
import { isProcessGroupAlive, killProcessGroup } from './process-group.js';

export interface RunInProcessGroupOptions {
  argv: string[];
  cwd: string;
  /** Added to the worker's environment (or, with `extendEnv: false`, the whole environment). */
  env: Record<string, string>;
  /** Default true. False: the process sees `env` only, none of the worker's variables. */
  extendEnv?: boolean;
  onLine(stream: 'stdout' | 'stderr', line: string): void;
  /** Called once the process runs, with its pid (which is also its process group id). */
  onSpawn?(pid: number): void;
  /** Aborting kills the whole group (SIGTERM, SIGKILL after `killGraceMs`). */
  signal?: AbortSignal;
  killGraceMs?: number;
}

export type ProcessOutcome =
  | { kind: 'exited'; exitCode: number; durationMs: number }
  | { kind: 'signaled'; signal: string; durationMs: number }
  | { kind: 'spawn-failed'; code: string; message: string; durationMs: number };

export async function runInProcessGroup(
  options: RunInProcessGroupOptions,
): Promise<ProcessOutcome> {
  const [file, ...args] = options.argv;
  if (!file) throw new TypeError('runInProcessGroup: argv is empty');
  const graceMs = options.killGraceMs ?? 3_000;
  const started = Date.now();
  const onLine = options.onLine;
  const subprocess = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: options.extendEnv ?? true,
    detached: true,
    stdin: 'ignore',
    // Line-splitting transforms (execa splits on \n and \r\n, decodes UTF-8 across chunks);
    // yielding nothing means nothing is buffered in memory, however much the agent prints.
    // eslint-disable-next-line require-yield -- a transform that consumes every line
    stdout: function* (line: unknown) {
      onLine('stdout', String(line));
    },
    // eslint-disable-next-line require-yield -- a transform that consumes every line
    stderr: function* (line: unknown) {
      onLine('stderr', String(line));
    },
    buffer: false,
    reject: false,
  });

  const pgid = subprocess.pid;
  const kills: Promise<unknown>[] = [];
  const onAbort = () => {
    if (pgid !== undefined) kills.push(killProcessGroup(pgid, graceMs));
  };
  if (pgid !== undefined) {
    options.onSpawn?.(pgid);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    subprocess.once('exit', () => {
      // Leftovers get the same treatment as a cancellation, but only if they are still there
      // a moment later (a child finishing its last write is not a leftover).
      setTimeout(() => {
        if (isProcessGroupAlive(pgid)) kills.push(killProcessGroup(pgid, graceMs));
      }, 100);
    });
  }
  try {
    const result = await subprocess;
    await Promise.all(kills);
    const durationMs = Date.now() - started;
    if (result.signal) return { kind: 'signaled', signal: result.signal, durationMs };
    if (typeof result.exitCode === 'number') {
      return { kind: 'exited', exitCode: result.exitCode, durationMs };
    }
    return {
      kind: 'spawn-failed',
      code: result.code ?? 'UNKNOWN',
      message: result.originalMessage ?? result.message ?? 'spawn failed',
      durationMs,
    };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}
