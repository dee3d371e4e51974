import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepository, makeTempDir } from '../testing/git-fixtures.js';
import { commitWorkspace } from './commit.js';
import { git, headSha } from './git.js';
import { mergeBranches } from './merge.js';
import { prepareWorkspace, type WorkspaceSettings } from './prepare.js';
import { resetWorkspaceTo } from './reset.js';
import { prepareTaskWorkspace } from './task-workspace.js';

let root: string;
let settings: WorkspaceSettings;
let repository: string;

beforeAll(async () => {
  root = await makeTempDir('io-reset');
  repository = join(root, 'repos', 'app');
  settings = { workspacesDir: join(root, 'workspaces'), allowedRoots: [join(root, 'repos')] };
  await createRepository(repository, { '.gitignore': 'cache/\n', 'a.txt': 'a0\n' });
});
afterAll(async () => rm(root, { recursive: true, force: true }));

async function step(path: string, content: string): Promise<string> {
  await writeFile(join(path, 'a.txt'), content);
  return (await commitWorkspace(path, content.trim())).sha!;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApplicationFailure);
  expect((error as ApplicationFailure).type).toBe('WorkspaceError');
  return error as ApplicationFailure;
}

describe('resetWorkspaceTo', () => {
  it('goes back to an earlier commit, keeps the abandoned head under a ref, and cleans', async () => {
    const ws = await prepareWorkspace({ sessionId: 'r1', repository }, settings);
    const one = await step(ws.path, 'a1\n');
    await step(ws.path, 'a2\n');
    const three = await step(ws.path, 'a3\n');
    await writeFile(join(ws.path, 'a.txt'), 'uncommitted\n');
    await writeFile(join(ws.path, 'stray.txt'), 'untracked\n');
    await mkdir(join(ws.path, 'cache'));
    await writeFile(join(ws.path, 'cache', 'kept.bin'), 'ignored\n');

    // An abbreviated id works too.
    expect(await resetWorkspaceTo(ws.path, one.slice(0, 10))).toEqual({
      reset: true,
      previousHead: three,
    });
    expect(await headSha(ws.path)).toBe(one);
    expect(await readFile(join(ws.path, 'a.txt'), 'utf8')).toBe('a1\n');
    expect(await exists(join(ws.path, 'stray.txt'))).toBe(false);
    expect(await readFile(join(ws.path, 'cache', 'kept.bin'), 'utf8')).toBe('ignored\n');
    const branch = await git(['symbolic-ref', '--short', 'HEAD'], { cwd: ws.path });
    expect(branch.stdout.trim()).toBe('session/r1');

    const abandoned = await git(['rev-parse', `refs/orchestrator/abandoned/${three}`], {
      cwd: ws.path,
    });
    expect(abandoned.stdout.trim()).toBe(three);

    // Idempotent: already there, nothing is touched.
    await writeFile(join(ws.path, 'new.txt'), 'work in progress\n');
    expect(await resetWorkspaceTo(ws.path, one)).toEqual({ reset: false, previousHead: one });
    expect(await exists(join(ws.path, 'new.txt'))).toBe(true);

    // And forward again to the abandoned head.
    expect(await resetWorkspaceTo(ws.path, three)).toEqual({ reset: true, previousHead: one });
    expect(await readFile(join(ws.path, 'a.txt'), 'utf8')).toBe('a3\n');
  });

  it('ends a merge in progress', async () => {
    const ws = await prepareWorkspace({ sessionId: 'r2', repository }, settings);
    const base = await step(ws.path, 'base\n');
    const branches: string[] = [];
    for (const taskPath of ['1', '2']) {
      const task = await prepareTaskWorkspace(
        { sessionId: 'r2', taskPath, parentWorkspace: ws.path, baseSha: base },
        settings,
      );
      await step(task.path, `task ${taskPath}\n`);
      branches.push(task.branch);
    }
    expect((await mergeBranches({ workspace: ws.path, branches })).status).toBe('conflict');
    const merged = await headSha(ws.path);

    expect(await resetWorkspaceTo(ws.path, base)).toEqual({ reset: true, previousHead: merged });
    const mergeHead = await git(['rev-parse', '--verify', '--quiet', 'MERGE_HEAD'], {
      cwd: ws.path,
      allowExitCodes: [1],
    });
    expect(mergeHead.exitCode).toBe(1);
    const status = await git(['status', '--porcelain'], { cwd: ws.path });
    expect(status.stdout).toBe('');
    expect(await readFile(join(ws.path, 'a.txt'), 'utf8')).toBe('base\n');
  });

  it('refuses unknown and malformed commits, and folders that are not checkouts', async () => {
    const ws = await prepareWorkspace({ sessionId: 'r3', repository }, settings);
    const unknown = await failure(resetWorkspaceTo(ws.path, 'abcdef1234567'));
    expect(unknown.message).toContain('does not exist');
    for (const sha of ['HEAD~1', '--hard', 'main', 'ABCDEF1']) {
      await failure(resetWorkspaceTo(ws.path, sha));
    }
    await failure(resetWorkspaceTo(join(ws.path, 'cache-that-is-not-there'), 'abcdef1'));
    await mkdir(join(ws.path, 'sub'));
    await failure(resetWorkspaceTo(join(ws.path, 'sub'), 'abcdef1'));
  });
});
