/**
 * The Dockerfiles cannot be built here (no Docker engine): they are linted offline
 * (support/dockerfile-lint.ts), and checked against the workspaces they package, which is
 * what breaks them when the code moves on.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lintDockerfile } from './support/dockerfile-lint.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFile(`${ROOT}${path}`, 'utf8');

interface PackageJson {
  name: string;
  workspaces?: string[];
  dependencies?: Record<string, string>;
}

/** The workspace folders a process runs from: its own and its @orchestrator dependencies'. */
async function workspaceClosure(folder: string): Promise<string[]> {
  const root = JSON.parse(await read('package.json')) as PackageJson;
  const byName = new Map<string, string>();
  for (const dir of root.workspaces ?? []) {
    const pkg = JSON.parse(await read(`${dir}/package.json`)) as PackageJson;
    byName.set(pkg.name, dir);
  }
  const seen = new Set<string>();
  const visit = async (dir: string) => {
    if (seen.has(dir)) return;
    seen.add(dir);
    const pkg = JSON.parse(await read(`${dir}/package.json`)) as PackageJson;
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      const depDir = byName.get(dep);
      if (depDir) await visit(depDir);
    }
  };
  await visit(folder);
  return [...seen].sort();
}

describe.each([
  ['gateway', 'deploy/docker/gateway.Dockerfile'],
  ['worker', 'deploy/docker/worker.Dockerfile'],
])('%s image', (workspace, path) => {
  it('passes the Dockerfile linter', async () => {
    expect(lintDockerfile(await read(path))).toEqual([]);
  });

  it('copies every workspace manifest (npm ci checks them against the lockfile)', async () => {
    const content = await read(path);
    const root = JSON.parse(await read('package.json')) as PackageJson;
    for (const dir of root.workspaces ?? []) {
      expect(content, `${path} must COPY ${dir}/package.json`).toContain(
        `COPY ${dir}/package.json ${dir}/`,
      );
    }
  });

  it('ships the source of every workspace the process imports, and the deploy scripts', async () => {
    const runtime = (await read(path)).split(/^FROM .* AS runtime$/m)[1] ?? '';
    for (const dir of await workspaceClosure(workspace)) {
      expect(runtime, `${path}: the runtime stage must COPY ${dir}/`).toContain(
        `COPY ${dir}/ ${dir}/`,
      );
    }
    expect(runtime).toContain('COPY deploy/scripts/ deploy/scripts/');
    expect(runtime).toContain(`"${workspace}/src/main.ts"`);
  });
});

describe('the Dockerfile linter', () => {
  it('reports each rule it enforces', () => {
    const bad = [
      'FROM node:latest',
      'ADD https://example.com/x.tgz /x',
      'WORKDIR app',
      'RUN apt-get update && apt-get install -y git',
      'RUN npm install express',
      'RUN curl -fsSL https://example.com/install.sh | sh',
      'USER node',
      'CMD node server.js',
    ].join('\n');
    const rules = new Set(lintDockerfile(bad).map((problem) => problem.rule));
    expect([...rules].sort()).toEqual(
      [
        'apt-lists',
        'apt-no-recommends',
        'copy-not-add',
        'dockerfile-utils', // relative WORKDIR
        'exec-form',
        'healthcheck',
        'multi-stage',
        'named-stages',
        'no-pipe-to-shell',
        'non-root',
        'npm-prod',
        'pinned-base',
      ].sort(),
    );
  });

  it('requires production-only node_modules in the runtime stage', () => {
    const devDeps = [
      'FROM node:20.20.2-bookworm-slim AS deps',
      'RUN npm ci',
      'FROM node:20.20.2-bookworm-slim AS runtime',
      'COPY --from=deps /app/node_modules ./node_modules',
      'USER 1000:1000',
      'HEALTHCHECK CMD ["true"]',
      'CMD ["node", "main.js"]',
    ].join('\n');
    expect(lintDockerfile(devDeps).map((problem) => problem.rule)).toEqual(['prod-deps-only']);
  });
});

describe('.dockerignore', () => {
  it('keeps dependencies, state, git history and tests out of the build context', async () => {
    const patterns = (await read('.dockerignore'))
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    expect(patterns).toEqual(
      expect.arrayContaining(['.git', '.data', '**/node_modules', '**/*.test.ts', 'tests']),
    );
  });
});
