/**
 * The chart's search-attribute Job, run for real: its rendered script against a Temporal dev
 * server with the provisioned `temporal` CLI (the one in temporalio/admin-tools, of the same
 * 1.x line). It must create the namespace, register every custom search attribute with its
 * type, and change nothing when it runs again (it runs on every upgrade).
 */
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import getPort from 'get-port';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startDevServer, type DevServer } from '@orchestrator/temporal-config';
import { CUSTOM_SEARCH_ATTRIBUTES } from '@orchestrator/workflows/search-attributes';
import { offlineChartCopy, parseManifests, renderChart } from './support/helm.js';

const NAMESPACE = `io-chart-${Date.now().toString(36)}`;

let server: DevServer;
let binDir: string;
let cliPath: string;
let script: string;

async function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; output: string }> {
  const result = await execa(command, args, { env, stdin: 'ignore', all: true, reject: false });
  if (result.failed && result.exitCode === undefined) throw result;
  return { code: result.exitCode ?? 1, output: result.all ?? '' };
}

beforeAll(async () => {
  const cli = inject('temporalCli');
  if (cli.type !== 'existing-path') {
    throw new Error(
      'The search-attribute Job test needs a Temporal CLI binary: npm run temporal:provision',
    );
  }
  cliPath = cli.path;
  server = await startDevServer({ cli, port: await getPort(), uiPort: null, dbFilename: null });
  binDir = await mkdtemp(join(tmpdir(), 'io-temporal-bin-'));
  await symlink(cli.path, join(binDir, 'temporal'));

  const chart = await offlineChartCopy();
  try {
    const objects = parseManifests(
      await renderChart(chart.dir, {
        set: {
          'temporal.enabled': 'false',
          'config.temporal.address': server.address,
          'config.temporal.namespace': NAMESPACE,
          'temporalSetup.waitSeconds': '60',
        },
      }),
    );
    const job = objects.find((o) => o.kind === 'Job' && o.metadata.name.endsWith('temporal-setup'));
    const container = (job?.spec as { template: { spec: { containers: { command: string[] }[] } } })
      .template.spec.containers[0]!;
    expect(container.command.slice(0, 2)).toEqual(['/bin/sh', '-ec']);
    script = container.command[2]!;
  } finally {
    await chart.remove();
  }
});

afterAll(async () => {
  await server?.stop();
  if (binDir) await rm(binDir, { recursive: true, force: true });
});

const runJob = () =>
  run('/bin/sh', ['-ec', script], {
    ...process.env,
    PATH: `${binDir}${delimiter}${process.env.PATH ?? ''}`,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: NAMESPACE,
  });

describe('the search-attribute Job', () => {
  it('creates the namespace and registers every search attribute with its type', async () => {
    const first = await runJob();
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain(`namespace ${NAMESPACE}: created`);

    const listed = await run(
      cliPath,
      ['operator', 'search-attribute', 'list', '--namespace', NAMESPACE, '--output', 'json'],
      { ...process.env, TEMPORAL_ADDRESS: server.address },
    );
    expect(listed.code, listed.output).toBe(0);
    const registered = JSON.parse(listed.output) as { customAttributes?: Record<string, string> };
    for (const key of CUSTOM_SEARCH_ATTRIBUTES) {
      expect(registered.customAttributes?.[key.name], key.name).toBe(
        `INDEXED_VALUE_TYPE_${key.type}`,
      );
    }
  });

  it('changes nothing when it runs again', async () => {
    const again = await runJob();
    expect(again.code, again.output).toBe(0);
    expect(again.output).not.toContain('created');
    for (const key of CUSTOM_SEARCH_ATTRIBUTES) {
      expect(again.output).toContain(`search attribute ${key.name}: already registered`);
    }
  });
});
