import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrepareWorkspaceResult } from '../contracts.js';
import { createRepository, makeTempDir } from '../testing/git-fixtures.js';
import { commitWorkspace } from './commit.js';
import { git, headSha } from './git.js';
import { prepareWorkspace, type WorkspaceSettings } from './prepare.js';
import { prepareTaskWorkspace } from './task-workspace.js';

let root: string;
let settings: WorkspaceSettings;
let session: PrepareWorkspaceResult;
let sessionHead: string;

beforeAll(async () => {
  root = await makeTempDir('io-task');
  const repos = join(root, 'repos');
  settings = { workspacesDir: join(root, 'workspaces'), allowedRoots: [repos] };
  await createRepository(join(repos, 'app'), { 'README.md': '# app\n' });
  session = await prepareWorkspace({ sessionId: 's1', repository: join(repos, 'app') }, settings);
  await writeFile(join(session.path, 'session.txt'), 'from the session\n');
  sessionHead = (await commitWorkspace(session.path, 'session step')).sha!;
});
afterAll(async () => rm(root, { recursive: true, force: true }));

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApplicationFailure);
  expect((error as ApplicationFailure).type).toBe('WorkspaceError');
  expect((error as ApplicationFailure).nonRetryable).toBe(true);
  return error as ApplicationFailure;
}

async function branchOf(path: string): Promise<string> {
  return (await git(['symbolic-ref', '--short', 'HEAD'], { cwd: path })).stdout.trim();
}

describe('prepareTaskWorkspace', () => {
  it('adds a worktree of the session clone on task/<session>/<path> at the base commit', async () => {
    const result = await prepareTaskWorkspace(
      { sessionId: 's1', taskPath: '1', parentWorkspace: session.path, baseSha: sessionHead },
      settings,
    );
    expect(result).toEqual({
      path: join(settings.workspacesDir, 's1.1'),
      branch: 'task/s1/1',
      baseSha: sessionHead,
    });
    expect(await headSha(result.path)).toBe(sessionHead);
    expect(await branchOf(result.path)).toBe('task/s1/1');
    expect(await readFile(join(result.path, 'session.txt'), 'utf8')).toBe('from the session\n');
    // Shared refs: the session clone sees the task's branch without a fetch.
    await writeFile(join(result.path, 'task.txt'), 'task 1\n');
    const step = await commitWorkspace(result.path, 'task step');
    const seen = await git(['rev-parse', 'task/s1/1'], { cwd: session.path });
    expect(seen.stdout.trim()).toBe(step.sha);
  });

  it("creates a sub-task's worktree from its parent task's worktree and commit", async () => {
    const parent = await prepareTaskWorkspace(
      { sessionId: 's1', taskPath: '2', parentWorkspace: session.path, baseSha: sessionHead },
      settings,
    );
    await writeFile(join(parent.path, 'parent.txt'), 'task 2\n');
    const parentHead = (await commitWorkspace(parent.path, 'task 2 step')).sha!;
    const child = await prepareTaskWorkspace(
      { sessionId: 's1', taskPath: '2.1', parentWorkspace: parent.path, baseSha: parentHead },
      settings,
    );
    expect(child.path).toBe(join(settings.workspacesDir, 's1.2.1'));
    expect(child.branch).toBe('task/s1/2.1');
    expect(await headSha(child.path)).toBe(parentHead);
    expect(await readFile(join(child.path, 'parent.txt'), 'utf8')).toBe('task 2\n');
  });

  it('is idempotent: a second call reuses the worktree, commits and all', async () => {
    const input = {
      sessionId: 's1',
      taskPath: '3',
      parentWorkspace: session.path,
      baseSha: sessionHead,
    };
    const first = await prepareTaskWorkspace(input, settings);
    await writeFile(join(first.path, 'work.txt'), 'step 1\n');
    const step = await commitWorkspace(first.path, 'step 1');
    const second = await prepareTaskWorkspace(input, settings);
    expect(second).toEqual(first);
    expect(second.baseSha).toBe(sessionHead);
    expect(await headSha(second.path)).toBe(step.sha);
  });

  it('switches a reused worktree back to its task branch', async () => {
    const input = {
      sessionId: 's1',
      taskPath: '4',
      parentWorkspace: session.path,
      baseSha: sessionHead,
    };
    const first = await prepareTaskWorkspace(input, settings);
    await git(['checkout', '--quiet', '-b', 'elsewhere'], { cwd: first.path });
    await prepareTaskWorkspace(input, settings);
    expect(await branchOf(first.path)).toBe('task/s1/4');
  });

  it('replaces a stale registration whose folder was deleted, keeping the branch', async () => {
    const input = {
      sessionId: 's1',
      taskPath: '5',
      parentWorkspace: session.path,
      baseSha: sessionHead,
    };
    const first = await prepareTaskWorkspace(input, settings);
    await writeFile(join(first.path, 'kept.txt'), 'kept\n');
    const step = await commitWorkspace(first.path, 'kept');
    await rm(first.path, { recursive: true, force: true });
    const again = await prepareTaskWorkspace(input, settings);
    expect(again.path).toBe(first.path);
    expect(await branchOf(again.path)).toBe('task/s1/5');
    expect(await headSha(again.path)).toBe(step.sha);
  });

  it('redoes a worktree whose creation died half way (locked "initializing")', async () => {
    const input = {
      sessionId: 's1',
      taskPath: '6',
      parentWorkspace: session.path,
      baseSha: sessionHead,
    };
    const first = await prepareTaskWorkspace(input, settings);
    // What `git worktree add` leaves when killed before its checkout finished.
    await git(['worktree', 'lock', '--reason', 'initializing', first.path], { cwd: session.path });
    await rm(join(first.path, 'session.txt'));
    const again = await prepareTaskWorkspace(input, settings);
    expect(await readFile(join(again.path, 'session.txt'), 'utf8')).toBe('from the session\n');
    const list = await git(['worktree', 'list', '--porcelain'], { cwd: session.path });
    expect(list.stdout).not.toContain('locked');
  });

  it('replaces an empty folder but refuses one with content', async () => {
    const base = { sessionId: 's1', parentWorkspace: session.path, baseSha: sessionHead };
    await mkdir(join(settings.workspacesDir, 's1.7'));
    const result = await prepareTaskWorkspace({ ...base, taskPath: '7' }, settings);
    expect(await headSha(result.path)).toBe(sessionHead);

    await mkdir(join(settings.workspacesDir, 's1.8'));
    await writeFile(join(settings.workspacesDir, 's1.8', 'precious.txt'), 'keep me');
    const error = await failure(prepareTaskWorkspace({ ...base, taskPath: '8' }, settings));
    expect(error.message).toContain('is not a worktree');
    expect(await readFile(join(settings.workspacesDir, 's1.8', 'precious.txt'), 'utf8')).toBe(
      'keep me',
    );
  });

  it('refuses an empty repository (no base commit)', async () => {
    const error = await failure(
      prepareTaskWorkspace(
        { sessionId: 's1', taskPath: '9', parentWorkspace: session.path, baseSha: null },
        settings,
      ),
    );
    expect(error.message).toContain('no commits yet');
  });

  it('refuses bad task paths, bad session ids, unknown commits and foreign parents', async () => {
    const base = { sessionId: 's1', parentWorkspace: session.path, baseSha: sessionHead };
    for (const taskPath of ['', '1.', '.1', '1..2', '../x', '1/2', 'a', '-1']) {
      await failure(prepareTaskWorkspace({ ...base, taskPath }, settings));
    }
    await failure(prepareTaskWorkspace({ ...base, sessionId: '../s1', taskPath: '1' }, settings));
    const unknown = await failure(
      prepareTaskWorkspace({ ...base, taskPath: '10', baseSha: 'deadbeef'.repeat(5) }, settings),
    );
    expect(unknown.message).toContain('does not exist');
    await failure(prepareTaskWorkspace({ ...base, taskPath: '10', baseSha: 'HEAD~1' }, settings));

    const other = await prepareWorkspace(
      { sessionId: 's2', repository: join(root, 'repos', 'app') },
      settings,
    );
    const foreign = await failure(
      prepareTaskWorkspace({ ...base, taskPath: '10', parentWorkspace: other.path }, settings),
    );
    expect(foreign.message).toContain('does not belong');
  });
});
