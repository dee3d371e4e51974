/**
 * One of the project's TypeScript entry points (worker/src/main.ts, gateway/src/main.ts, a bench
 * helper) as a child Node process, started the way Kubernetes would run it and watched until it
 * is ready. Used by the system tests (a worker they can kill -9) and by the benchmarks (gateway
 * and workers whose memory and CPU they read).
 *
 * `node --import tsx <entry>`, not the tsx CLI: the CLI runs the script in a grandchild that a
 * SIGKILL of the CLI would leave running, and whose pid is not the one we would measure.
 */
import { execa, type ResultPromise } from 'execa';

export interface NodeServiceOptions {
  /** For messages: "worker", "gateway", … */
  name: string;
  /** Absolute path of the TypeScript entry point. */
  entry: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Extra Node flags before the entry (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Ready once a line of its output matches this … */
  readyLine?: RegExp;
  /** … and/or once this probe answers true (e.g. an HTTP /readyz). */
  readyProbe?: () => Promise<boolean>;
  readyTimeoutMs?: number;
}

export interface NodeService {
  name: string;
  pid: number;
  child: ResultPromise;
  /** The last few kilobytes of its stdout and stderr, for error messages. */
  output(): string;
  exited(): boolean;
  /** SIGTERM (graceful shutdown), then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL, as a crash would; resolves once the process is gone. */
  kill(): Promise<void>;
}

const OUTPUT_TAIL_CHARS = 8_000;

export async function startNodeService(options: NodeServiceOptions): Promise<NodeService> {
  if (!options.readyLine && !options.readyProbe) {
    throw new Error(`startNodeService(${options.name}): give readyLine or readyProbe`);
  }
  const child = execa(
    process.execPath,
    [...(options.nodeArgs ?? []), '--import', 'tsx', options.entry],
    {
      cwd: options.cwd,
      env: options.env,
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      reject: false,
      // Dies with us even if we crash before stop().
      cleanup: true,
    },
  );
  const pid = child.pid;
  if (!pid) throw new Error(`${options.name} process did not start (${options.entry})`);
  let output = '';
  let sawReadyLine = !options.readyLine;
  const capture = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
    if (!sawReadyLine && options.readyLine?.test(output)) sawReadyLine = true;
  };
  child.stdout?.on('data', capture);
  child.stderr?.on('data', capture);
  let exited = false;
  void child.then(() => {
    exited = true;
  });

  const service: NodeService = {
    name: options.name,
    pid,
    child,
    output: () => output,
    exited: () => exited,
    stop: async (graceMs = 15_000) => {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await child;
      clearTimeout(timer);
    },
    kill: async () => {
      if (!exited) child.kill('SIGKILL');
      await child;
    },
  };

  const timeoutMs = options.readyTimeoutMs ?? 90_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`${options.name} process exited during startup:\n${output}`);
    if (sawReadyLine && (!options.readyProbe || (await options.readyProbe().catch(() => false)))) {
      return service;
    }
    if (Date.now() > deadline) {
      await service.kill();
      throw new Error(
        `${options.name} process was not ready within ${timeoutMs / 1000} s ` +
          `(${options.readyLine ? `waiting for output ${String(options.readyLine)}` : 'its readiness probe failed'}):\n${output}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
