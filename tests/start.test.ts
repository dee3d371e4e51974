/**
 * `npm start` as a new user runs it (embedded mode: dev server, PGlite, in-process bus), in a
 * private data directory and on free ports: it prints the URLs and the token, a session with the
 * demo agent completes, and Ctrl-C (SIGINT) leaves no process behind.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import getPort from 'get-port';
import { execa, type ResultPromise } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, ROOT } from './support/stack.js';

let launcher: ResultPromise | undefined;
let dataDir: string | undefined;

afterAll(async () => {
  if (launcher && launcher.exitCode === null) {
    launcher.kill('SIGKILL');
    await launcher;
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Processes whose command line mentions `needle` (the launcher's children carry DATA_DIR). */
function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(needle)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

describe('npm start', () => {
  it('starts everything, runs a demo session and stops cleanly on Ctrl-C', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'io-start-'));
    const port = await getPort();
    const temporalPort = await getPort();
    const uiPort = await getPort();
    launcher = execa(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      cwd: ROOT,
      env: {
        DATA_DIR: dataDir,
        PORT: String(port),
        TEMPORAL_PORT: String(temporalPort),
        TEMPORAL_UI_PORT: String(uiPort),
        DATABASE_URL: '',
        REDIS_URL: '',
        TEMPORAL_ADDRESS: '',
        AGENTS_FILE: '',
        LOG_LEVEL: 'warn',
      },
      extendEnv: true,
      stdin: 'ignore',
      reject: false,
      all: true,
    });
    let output = '';
    launcher.all?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await eventually(
      async () =>
        output.includes('Press Ctrl-C') ? true : launcher?.exitCode !== null ? false : undefined,
      120_000,
      'npm start to print its URLs',
    ).then((ready) => expect(ready, output).toBe(true));

    const consoleUrl = /Console:\s+(\S+)/.exec(output)?.[1];
    const webUrl = /Temporal Web:\s+(\S+)/.exec(output)?.[1];
    const token = /Admin token:\s+(io_\S+)/.exec(output)?.[1];
    const sample = /Sample repo:\s+(\S+)/.exec(output)?.[1];
    expect(consoleUrl).toBe(`http://127.0.0.1:${port}`);
    expect(webUrl).toBe(`http://127.0.0.1:${uiPort}`);
    expect(token).toBeDefined();
    expect(readFileSync(join(dataDir, 'admin-token'), 'utf8').trim()).toBe(token);
    expect(output).toContain(`${consoleUrl}/metrics`);

    // The console is served, the demo agent is offered, and a session completes.
    expect((await fetch(`${consoleUrl}/`)).status).toBe(200);
    const agents = (await (await fetch(`${consoleUrl}/api/agents`)).json()) as {
      items: Array<{ name: string }>;
    };
    expect(agents.items.map((a) => a.name)).toContain('demo');
    const created = await fetch(`${consoleUrl}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'first',
        goal: 'say hello',
        repository: sample,
        agent: 'demo',
      }),
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
      items: unknown[];
    };
    expect(logs.items.length).toBeGreaterThan(5);
    // Temporal Web answers on the printed URL.
    expect((await fetch(`${webUrl}/namespaces/default/workflows/session-${id}`)).status).toBe(200);

    expect(processesMentioning(dataDir).length).toBeGreaterThan(0); // the dev server, at least
    launcher.kill('SIGINT');
    const result = await launcher;
    expect(result.exitCode, output).toBe(0);
    expect(output).toContain('stopped.');
    await eventually(
      async () => (processesMentioning(dataDir ?? '').length === 0 ? true : undefined),
      15_000,
      'every started process to exit',
    );
  });
});
