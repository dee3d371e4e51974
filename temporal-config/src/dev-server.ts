import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { CUSTOM_SEARCH_ATTRIBUTES } from '@orchestrator/workflows/search-attributes';
import { devServerArgs, devServerEnvironment } from './dev-server-args.js';
import { registerMissingSearchAttributes } from './search-attribute-registration.js';
import type { TemporalCli } from './provision.js';

export interface DevServerOptions {
  cli: TemporalCli;
  ip?: string;
  port: number;
  /** null for headless. */
  uiPort: number | null;
  /** SQLite file for persistence; null keeps state in memory. */
  dbFilename: string | null;
  namespace?: string;
  /** Where the server's own output goes (appended). */
  logFile?: string;
  startTimeoutMs?: number;
}

export interface DevServer {
  address: string;
  namespace: string;
  webUrl: string | null;
  pid: number | null;
  stop(): Promise<void>;
}

/** Starts `temporal server start-dev` and resolves once its frontend answers. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const namespace = options.namespace ?? 'default';
  const address = `${ip}:${options.port}`;
  const webUrl = options.uiPort === null ? null : `http://${ip}:${options.uiPort}`;

  if (options.cli.type === 'sdk-download') {
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'cached-download' },
        ip,
        port: options.port,
        ...(options.uiPort === null ? {} : { ui: true, uiPort: options.uiPort }),
        ...(options.dbFilename ? { dbFilename: options.dbFilename } : {}),
        namespace,
        searchAttributes: [...CUSTOM_SEARCH_ATTRIBUTES],
      },
    });
    try {
      await registerMissingSearchAttributes(address, namespace);
    } catch (error) {
      await env.teardown();
      throw error;
    }
    return { address, namespace, webUrl, pid: null, stop: () => env.teardown() };
  }

  if (options.dbFilename) await mkdir(dirname(options.dbFilename), { recursive: true });
  const args = devServerArgs({
    ip,
    port: options.port,
    uiPort: options.uiPort,
    dbFilename: options.dbFilename,
    namespace,
  });
  const child = execa(options.cli.path, args, {
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    reject: false,
    env: devServerEnvironment(process.env),
    extendEnv: false,
    // The server must die with us: execa's cleanup kills it when this process exits.
    cleanup: true,
  });
  let output = '';
  const capture = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', capture);
  child.stderr?.on('data', capture);
  if (options.logFile) {
    await mkdir(dirname(options.logFile), { recursive: true });
    const log = createWriteStream(options.logFile, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  }

  try {
    await waitUntilServing(
      address,
      namespace,
      child,
      () => output,
      options.startTimeoutMs ?? 60_000,
    );
    await registerMissingSearchAttributes(address, namespace);
  } catch (error) {
    child.kill('SIGKILL');
    await child;
    throw error;
  }
  return {
    address,
    namespace,
    webUrl,
    pid: child.pid ?? null,
    stop: () => stopChild(child),
  };
}

async function stopChild(child: ResultPromise): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await child;
  clearTimeout(timer);
}

async function waitUntilServing(
  address: string,
  namespace: string,
  child: ResultPromise,
  output: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.then(() => {
    exited = true;
  });
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (exited) {
      const text = output();
      const hint = /address already in use/i.test(text) ? ` (is port ${address} in use?)` : '';
      throw new Error(`The Temporal dev server exited during startup${hint}:\n${text}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(
    `The Temporal dev server did not answer on ${address} within ${timeoutMs} ms ` +
      `(last error: ${String(lastError)}):\n${output()}`,
  );
}
