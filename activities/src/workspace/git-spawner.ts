/**
 * Runs git from a small helper process instead of from the worker itself.
 *
 * Node's spawn forks the calling process and blocks its event loop until the child has exec'd.
 * In a worker (hundreds of MB, the Temporal core's threads) that took most of its CPU: a
 * `--cpu-profile` bench run of 200 no-op sessions spent 55 % of the worker's profile in
 * `ChildProcess.spawn`, with every workflow task and activity on the worker waiting behind it.
 * A bare Node process started once (no tsx, no SDK) forks cheaply and blocks nobody but itself;
 * the worker only exchanges a message with it per command.
 *
 * The helper is started on first use, exits when its parent goes (the IPC channel closes), and
 * does not keep the parent alive while idle. If it cannot be started or dies, the commands in
 * flight fail and the next one starts a new helper.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface SpawnRequest {
  command: string;
  args: string[];
  cwd?: string;
  env: Record<string, string | undefined>;
}

export interface SpawnResult {
  stdout: string;
  stderr: string;
  /** Undefined when the process could not be started or was killed by a signal. */
  exitCode: number | undefined;
  /** Why it could not run, when it could not. */
  error?: string;
}

/**
 * The helper's source, run with `node -e` so it needs no file of its own next to the compiled
 * or tsx-run code. Outputs are collected as strings and trailing newlines trimmed, like execa.
 */
const HELPER_SOURCE = `
const { spawn } = require('node:child_process');
const trim = (s) => s.replace(/\\r?\\n$/, '');
process.on('disconnect', () => process.exit(0));
process.on('message', ({ id, command, args, cwd, env }) => {
  let stdout = '';
  let stderr = '';
  let child;
  try {
    child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    process.send({ id, stdout, stderr, error: String(error && error.message) });
    return;
  }
  child.stdout.setEncoding('utf8').on('data', (chunk) => { stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
  let failure;
  child.on('error', (error) => { failure = String(error && error.message); });
  child.on('close', (code) => {
    process.send({
      id,
      stdout: trim(stdout),
      stderr: trim(stderr),
      exitCode: failure === undefined && typeof code === 'number' ? code : undefined,
      ...(failure ? { error: failure } : {}),
    });
  });
});
`;

interface Pending {
  resolve: (result: SpawnResult) => void;
  reject: (error: Error) => void;
}

let helper: ChildProcess | null = null;
const pending = new Map<number, Pending>();
let nextId = 1;

function startHelper(): ChildProcess {
  const env = { ...process.env };
  // The helper is plain CommonJS: whatever loaders the parent runs with (tsx) only slow it down.
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, ['-e', HELPER_SOURCE], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env,
    serialization: 'json',
  });
  const fail = (reason: string) => {
    if (helper === child) helper = null;
    const error = new Error(`The git helper process ${reason}.`);
    for (const [id, waiting] of pending) {
      pending.delete(id);
      waiting.reject(error);
    }
  };
  child.on('message', (message: SpawnResult & { id: number }) => {
    const waiting = pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id);
    if (pending.size === 0) idle(child);
    const { id: _id, ...result } = message;
    waiting.resolve(result);
  });
  child.on('error', (error) => fail(`failed: ${error.message}`));
  child.on('exit', (code, signal) => fail(`exited (${signal ?? `code ${code}`})`));
  idle(child);
  return child;
}

/** An idle helper must not keep the parent process running. */
function idle(child: ChildProcess): void {
  child.unref();
  child.channel?.unref();
}

function busy(child: ChildProcess): void {
  child.ref();
  child.channel?.ref();
}

export function spawnViaHelper(request: SpawnRequest): Promise<SpawnResult> {
  if (!helper || !helper.connected) helper = startHelper();
  const child = helper;
  const id = nextId++;
  return new Promise<SpawnResult>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    busy(child);
    child.send({ id, ...request }, (error) => {
      if (!error) return;
      pending.delete(id);
      if (pending.size === 0) idle(child);
      reject(error);
    });
  });
}
