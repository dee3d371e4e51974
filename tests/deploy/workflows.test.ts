/**
 * .github/workflows: actionlint (syntax, expressions, action inputs, job graph), and the
 * facts CI and CD depend on that actionlint cannot know.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findOnPath, TEMPORAL_CLI_VERSION } from '@orchestrator/temporal-config';
import { provisionGoTool } from '../../deploy/tools/go-tools.js';
import { ACTIONLINT } from '../../deploy/tools/versions.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKFLOWS = join(ROOT, '.github/workflows');

let actionlint: string;
let shellcheck: string;

beforeAll(async () => {
  actionlint = await provisionGoTool(ACTIONLINT, { log: (line) => console.log(line) });
  // Required, not optional: without it actionlint silently skips every `run:` script.
  const found = await findOnPath('shellcheck', process.env);
  if (!found) {
    throw new Error(
      'shellcheck is not on PATH; actionlint needs it to check the `run:` scripts. Install it ' +
        '(Debian/Ubuntu: apt-get install shellcheck; .ci/run and ci.yml do).',
    );
  }
  shellcheck = found;
});

/** actionlint on the given files, with shellcheck on their `run:` scripts (pyflakes off: no Python steps). */
function runActionlint(files: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      actionlint,
      ['-no-color', `-shellcheck=${shellcheck}`, '-pyflakes=', ...files],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  uses?: string;
  needs?: string | string[];
  environment?: string | { name: string };
  env?: Record<string, string>;
  services?: Record<string, { image: string; ports?: string[] }>;
  steps?: Step[];
  with?: Record<string, unknown>;
}
interface Workflow {
  on: Record<string, unknown>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflow = async (name: string) =>
  parse(await readFile(join(WORKFLOWS, name), 'utf8')) as Workflow;

describe('actionlint', () => {
  it('finds nothing in .github/workflows', async () => {
    const files = (await readdir(WORKFLOWS)).filter((f) => /\.ya?ml$/.test(f));
    expect(files.sort()).toEqual(['cd.yml', 'ci.yml', 'deploy.yml']);
    const result = await runActionlint(files.map((f) => join(WORKFLOWS, f)));
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('catches a broken workflow', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'io-actionlint-'));
    try {
      const broken = join(dir, 'broken.yml');
      await writeFile(
        broken,
        [
          'on: push',
          'jobs:',
          '  build:',
          '    runs-on: ubuntu-24.04',
          '    steps:',
          '      - uses: actions/checkout@v6',
          '        with:',
          '          fetch-deep: 0',
          '      - run: echo ${{ github.event.head_commit.mesage }}',
          '      - run: rm -rf $TARGET_DIR/build',
        ].join('\n'),
      );
      const result = await runActionlint([broken]);
      expect(result.code).not.toBe(0);
      expect(result.output).toContain('fetch-deep');
      // shellcheck's finding in the run: script (an unquoted expansion).
      expect(result.output).toContain('SC2086');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('CI', () => {
  it('pins every action to a major version', async () => {
    for (const name of ['ci.yml', 'cd.yml', 'deploy.yml']) {
      const text = await readFile(join(WORKFLOWS, name), 'utf8');
      for (const [, action] of text.matchAll(/uses:\s*([^\s#]+)/g)) {
        if (action!.startsWith('./')) continue;
        expect(action, `${name}: ${action}`).toMatch(/^[\w.-]+\/[\w./-]+@v\d+$/);
      }
    }
  });

  it('runs every part of npm test with Postgres, Redis, Chromium and the cached Temporal CLI', async () => {
    const ci = await workflow('ci.yml');
    const job = ci.jobs.test!;
    expect(Object.keys(job.services ?? {}).sort()).toEqual(['postgres', 'redis']);
    expect(job.services?.postgres?.ports).toEqual(['5432:5432']);
    expect(job.services?.redis?.ports).toEqual(['6379:6379']);

    // The Temporal CLI cache is keyed on the version the project provisions.
    expect(ci.env?.TEMPORAL_CLI_VERSION).toBe(TEMPORAL_CLI_VERSION);
    const caches = (job.steps ?? []).filter((s) => s.uses?.startsWith('actions/cache@'));
    expect(caches.map((s) => s.with?.path)).toContain(
      '~/.cache/industrial-orchestrator/temporal-cli/${{ env.TEMPORAL_CLI_VERSION }}',
    );
    expect(
      String(caches.find((s) => String(s.with?.path).includes('temporal-cli'))?.with?.key),
    ).toContain('${{ env.TEMPORAL_CLI_VERSION }}');
    expect((job.steps ?? []).some((s) => s.uses?.startsWith('browser-actions/setup-chrome@'))).toBe(
      true,
    );

    // Whatever `npm test` runs, CI runs too.
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const runs = (job.steps ?? []).map((s) => s.run ?? '').join('\n');
    for (const part of pkg.scripts.test!.split('&&').map((p) => p.trim())) {
      const command = part.startsWith('npm run') ? part : `npx ${part}`;
      expect(runs, `ci.yml must run "${command}" (part of npm test)`).toContain(command);
    }
  });
});

describe('CD', () => {
  it('pushes both images for linux/amd64 and linux/arm64', async () => {
    const cd = await workflow('cd.yml');
    const steps = cd.jobs.images?.steps ?? [];
    const uses = steps.map((s) => s.uses ?? '');
    const qemu = uses.findIndex((u) => u.startsWith('docker/setup-qemu-action@'));
    const buildx = uses.findIndex((u) => u.startsWith('docker/setup-buildx-action@'));
    const build = steps.find((s) => s.uses?.startsWith('docker/build-push-action@'));
    expect(qemu, 'QEMU is set up before buildx').toBeGreaterThanOrEqual(0);
    expect(qemu).toBeLessThan(buildx);
    expect(String(build?.with?.platforms).split(',').sort()).toEqual([
      'linux/amd64',
      'linux/arm64',
    ]);
    // The worker image keeps the Temporal core bridge of the platform it is built for; the
    // gateway builds its console (static files) once, on the build machine's platform.
    const dockerfile = (component: string) =>
      readFile(join(ROOT, `deploy/docker/${component}.Dockerfile`), 'utf8');
    const worker = await dockerfile('worker');
    expect(worker).toContain('ARG TARGETARCH');
    expect(worker).toContain('arm64) keep=aarch64-unknown-linux-gnu');
    expect(await dockerfile('gateway')).toMatch(/^FROM --platform=\$BUILDPLATFORM .* AS ui$/m);
  });

  it('builds both images, then deploys staging before production, each in its environment', async () => {
    const cd = await workflow('cd.yml');
    expect(cd.jobs.ci?.uses).toBe('./.github/workflows/ci.yml');
    expect(cd.jobs.images?.needs).toBe('ci');
    const build = cd.jobs.images?.steps?.find((s) =>
      s.uses?.startsWith('docker/build-push-action@'),
    );
    expect(build?.with).toMatchObject({
      push: true,
      file: 'deploy/docker/${{ matrix.component }}.Dockerfile',
    });
    expect(cd.jobs.staging).toMatchObject({
      needs: 'images',
      uses: './.github/workflows/deploy.yml',
      with: { environment: 'staging' },
    });
    expect(cd.jobs.production).toMatchObject({
      needs: 'staging',
      uses: './.github/workflows/deploy.yml',
      with: { environment: 'production' },
    });

    const deploy = await workflow('deploy.yml');
    expect(deploy.jobs.deploy?.environment).toMatchObject({ name: '${{ inputs.environment }}' });
    const chart = deploy.jobs.deploy?.env?.CHART ?? '';
    expect(existsSync(join(ROOT, chart, 'Chart.yaml')), `deploy.yml CHART=${chart}`).toBe(true);
    const runs = (deploy.jobs.deploy?.steps ?? []).map((s) => s.run ?? '').join('\n');
    expect(runs).toContain('helm dependency build "$CHART"');
    expect(runs).toContain('helm upgrade --install "$RELEASE" "$CHART"');
    expect(runs).toContain('values-production.yaml');
  });
});
