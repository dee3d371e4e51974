/**
 * `opencode serve` as the leader of its own process group: started on 127.0.0.1 with a port
 * the system picks, its address read from the line it prints once it listens, stopped (with
 * everything the agent started) by signalling the group. Its own log goes to stderr: warnings
 * and errors reach the step's log; the rest only shows the server is alive while it boots.
 */
import { runInProcessGroup, type ProcessOutcome } from './run-in-process-group.js';

const LISTENING = /opencode server listening on (https?:\/\/\S+)/;
/** `timestamp=… level=INFO run=… message=…`, OpenCode's log line format. */
const LOG_LINE = /^timestamp=\S+ level=(\w+) (?:run=\S+ )?(.*)$/;

export interface OpenCodeServerOptions {
  binary: string;
  cwd: string;
  env: Record<string, string>;
  onSpawn(pgid: number): void;
  /** A line worth the step's log: a warning or error of the server, or anything unexpected. */
  onLine(stream: 'stdout' | 'stderr', line: string): void;
  /** A routine log line (the server is alive and working). */
  onActivity(): void;
  killGraceMs?: number;
}

export interface OpenCodeServer {
  /** Where it listens; null when it ended (or was stopped) before it did. */
  url: Promise<string | null>;
  /** How the process ended, once it did. */
  exited: Promise<ProcessOutcome>;
  /** Whether `stop` was called (an ending the adapter asked for). */
  readonly stopping: boolean;
  /** Stops the whole process group: SIGTERM, SIGKILL after the grace period. */
  stop(): Promise<ProcessOutcome>;
}

export function opencodeServeArguments(): string[] {
  return ['serve', '--hostname', '127.0.0.1', '--port', '0', '--print-logs', '--log-level', 'INFO'];
}

export function startOpenCodeServer(options: OpenCodeServerOptions): OpenCodeServer {
  const stopper = new AbortController();
  let listening: (url: string | null) => void = () => undefined;
  const url = new Promise<string | null>((resolve) => {
    listening = resolve;
  });
  const exited = runInProcessGroup({
    argv: [options.binary, ...opencodeServeArguments()],
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    signal: stopper.signal,
    onSpawn: options.onSpawn,
    ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
    onLine(stream, line) {
      const address = LISTENING.exec(line);
      if (address?.[1]) {
        listening(address[1]);
        options.onActivity();
        return;
      }
      const log = LOG_LINE.exec(line);
      if (log && (log[1] === 'INFO' || log[1] === 'DEBUG')) {
        options.onActivity();
        return;
      }
      if (line.trim() === '') return;
      options.onLine(stream, log ? `[opencode ${log[1]?.toLowerCase()}] ${log[2]}` : line);
    },
  });
  void exited.then(() => listening(null));
  return {
    url,
    exited,
    get stopping() {
      return stopper.signal.aborted;
    },
    stop() {
      stopper.abort();
      return exited;
    },
  };
}
