/**
 * `npm start` as a new user runs it, in a private data directory and on free ports: it prints
 * the URLs and the token, a session with the demo agent completes and shows in Temporal Web, and
 * Ctrl-C (SIGINT) leaves no process behind. Once in embedded mode (PGlite, in-process bus, one
 * process), once with DATABASE_URL and REDIS_URL (worker and gateway as separate processes).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import getPort from 'get-port';
import { execa, type ResultPromise } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  dropRedisPrefix,
  TEST_REDIS_URL,
  uniqueName,
} from './support/services.js';
import { eventually, ROOT } from './support/stack.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Processes started for a data directory: its path is in their command line or environment. */
function processesOf(dataDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const zombie = stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
      if (!zombie && (cmdline.includes(dataDir) || environ.includes(`DATA_DIR=${dataDir}\0`))) {
        pids.push(Number(entry));
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

async function runStartScenario(extraEnv: Record<string, string>): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'io-start-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const port = await getPort();
  const uiPort = await getPort();
  const launcher: ResultPromise = execa(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: ROOT,
    env: {
      DATA_DIR: dataDir,
      PORT: String(port),
      TEMPORAL_PORT: String(await getPort()),
      TEMPORAL_UI_PORT: String(uiPort),
      DATABASE_URL: '',
      REDIS_URL: '',
      TEMPORAL_ADDRESS: '',
      AGENTS_FILE: '',
      LOG_LEVEL: 'warn',
      WORKER_METRICS_PORT: String(await getPort()),
      ...extraEnv,
    },
    stdin: 'ignore',
    reject: false,
    all: true,
  });
  cleanups.push(async () => {
    if (launcher.exitCode === null) launcher.kill('SIGKILL');
    await launcher;
  });
  let output = '';
  launcher.all?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ready = await eventually(
    async () =>
      output.includes('Press Ctrl-C') ? true : launcher.exitCode !== null ? false : undefined,
    120_000,
    'npm start to print its URLs',
  );
  expect(ready, output).toBe(true);

  const consoleUrl = /Console:\s+(\S+)/.exec(output)?.[1];
  const webUrl = /Temporal Web:\s+(\S+)/.exec(output)?.[1];
  const token = /Admin token:\s+(io_\S+)/.exec(output)?.[1];
  const sample = /Sample repo:\s+(\S+)/.exec(output)?.[1];
  expect(consoleUrl).toBe(`http://127.0.0.1:${port}`);
  expect(webUrl).toBe(`http://127.0.0.1:${uiPort}`);
  expect(token).toBeDefined();
  expect(readFileSync(join(dataDir, 'admin-token'), 'utf8').trim()).toBe(token);
  expect(output).toContain(`${consoleUrl}/metrics`);

  // The console is served, the demo agent is offered, and a session completes with a commit.
  expect((await fetch(`${consoleUrl}/`)).status).toBe(200);
  const agents = (await (await fetch(`${consoleUrl}/api/agents`)).json()) as {
    items: Array<{ name: string }>;
  };
  expect(agents.items.map((a) => a.name)).toContain('demo');
  const created = await fetch(`${consoleUrl}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'first', goal: 'say hello', repository: sample, agent: 'demo' }),
  });
  expect(created.status, await created.clone().text()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const detail = await eventually(
    async () => {
      const d = (await (await fetch(`${consoleUrl}/api/sessions/${id}`)).json()) as {
        status: string;
        checkpoints: Array<{ commitSha: string | null; changed: boolean }>;
      };
      return ['completed', 'failed', 'cancelled'].includes(d.status) ? d : undefined;
    },
    60_000,
    'the demo session to finish',
  );
  expect(detail.status).toBe('completed');
  expect(detail.checkpoints[0]?.changed).toBe(true);
  const logs = (await (await fetch(`${consoleUrl}/api/sessions/${id}/logs`)).json()) as {
    items: Array<{ line: string }>;
  };
  expect(logs.items.some((l) => l.line.includes('wrote ORCHESTRATOR_NOTES.md'))).toBe(true);

  // Temporal Web on the printed URL knows the session's workflow (its API, behind the UI).
  const web = await fetch(`${webUrl}/api/v1/namespaces/default/workflows/session-${id}`);
  expect(web.status).toBe(200);
  expect(JSON.stringify(await web.json())).toContain(`session-${id}`);

  expect(processesOf(dataDir).length).toBeGreaterThan(0);
  launcher.kill('SIGINT');
  const result = await launcher;
  expect(result.exitCode, output).toBe(0);
  expect(output).toContain('stopped.');
  await eventually(
    async () => (processesOf(dataDir).length === 0 ? true : undefined),
    15_000,
    'every process npm start started to exit',
  );
  return output;
}

describe('npm start', () => {
  it('embedded: one process on PGlite and the in-process bus', async () => {
    const output = await runStartScenario({});
    expect(output).toContain('worker and gateway in this process (pglite, in-process log bus)');
  });

  it('separate processes on real Postgres and Redis', async () => {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const prefix = uniqueName('iostart');
    cleanups.push(() => dropRedisPrefix(prefix));
    const output = await runStartScenario({
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
    });
    expect(output).toContain('worker and gateway started as separate processes');
  });
});
