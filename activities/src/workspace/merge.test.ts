import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrepareWorkspaceResult } from '../contracts.js';
import { createRepository, makeTempDir } from '../testing/git-fixtures.js';
import { commitWorkspace } from './commit.js';
import { git, headSha } from './git.js';
import { checkConflicts, mergeBranches } from './merge.js';
import { prepareWorkspace, type WorkspaceSettings } from './prepare.js';
import { prepareTaskWorkspace } from './task-workspace.js';

let root: string;
let settings: WorkspaceSettings;
let repository: string;

beforeAll(async () => {
  root = await makeTempDir('io-merge');
  repository = join(root, 'repos', 'app');
  settings = { workspacesDir: join(root, 'workspaces'), allowedRoots: [join(root, 'repos')] };
  await createRepository(repository, {
    'a.txt': 'one\ntwo\nthree\n',
    // Marker-like lines kept on purpose must never count as a conflict.
    'docs/fixture.txt': '<<<<<<< ours\nexample\n>>>>>>> theirs\n',
  });
});
afterAll(async () => rm(root, { recursive: true, force: true }));

async function session(id: string): Promise<PrepareWorkspaceResult> {
  return prepareWorkspace({ sessionId: id, repository }, settings);
}

/** A task worktree off the session's HEAD, with one step committing `files`; its branch. */
async function task(
  parent: PrepareWorkspaceResult,
  sessionId: string,
  taskPath: string,
  files: Record<string, string>,
): Promise<string> {
  const worktree = await prepareTaskWorkspace(
    { sessionId, taskPath, parentWorkspace: parent.path, baseSha: await headSha(parent.path) },
    settings,
  );
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(worktree.path, name), content);
  }
  await commitWorkspace(worktree.path, `task ${taskPath}`);
  return worktree.branch;
}

async function log(path: string, count: number): Promise<string[]> {
  const result = await git(['log', '--first-parent', `-${count}`, '--format=%s|%P'], { cwd: path });
  return result.stdout
    .trim()
    .split('\n')
    .map((line) => {
      const [subject, parents] = line.split('|');
      return `${subject} (${parents!.split(' ').length} parents)`;
    });
}

async function mergeInProgress(path: string): Promise<boolean> {
  const result = await git(['rev-parse', '--verify', '--quiet', 'MERGE_HEAD'], {
    cwd: path,
    allowExitCodes: [1],
  });
  return result.exitCode === 0;
}

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApplicationFailure);
  expect((error as ApplicationFailure).type).toBe('WorkspaceError');
  expect((error as ApplicationFailure).nonRetryable).toBe(true);
  return error as ApplicationFailure;
}

describe('mergeBranches', () => {
  it('merges task branches in order, one merge commit each, and is idempotent', async () => {
    const ws = await session('m1');
    const first = await task(ws, 'm1', '1', { 'b.txt': 'b\n' });
    const second = await task(ws, 'm1', '2', { 'c.txt': 'c\n' });

    const result = await mergeBranches({ workspace: ws.path, branches: [first, second] });
    expect(result).toEqual({
      status: 'merged',
      merged: [first, second],
      headSha: await headSha(ws.path),
    });
    expect(await log(ws.path, 2)).toEqual([
      'merge task/m1/2 (2 parents)',
      'merge task/m1/1 (2 parents)',
    ]);
    expect(await readFile(join(ws.path, 'b.txt'), 'utf8')).toBe('b\n');
    expect(await readFile(join(ws.path, 'c.txt'), 'utf8')).toBe('c\n');

    const again = await mergeBranches({ workspace: ws.path, branches: [first, second] });
    expect(again).toEqual(result);
  });

  it('stops at a conflict with the merge in progress, then carries on once it is resolved', async () => {
    const ws = await session('m2');
    const three = await task(ws, 'm2', '3', { 'a.txt': 'one\nTHREE\nthree\n' });
    const four = await task(ws, 'm2', '4', { 'a.txt': 'one\nFOUR\nthree\n' });
    const five = await task(ws, 'm2', '5', { 'e.txt': 'e\n' });
    const branches = [three, four, five];

    const result = await mergeBranches({ workspace: ws.path, branches });
    const afterThree = await headSha(ws.path);
    expect(result).toEqual({
      status: 'conflict',
      merged: [three],
      branch: four,
      files: ['a.txt'],
      headSha: afterThree,
    });
    expect(await mergeInProgress(ws.path)).toBe(true);
    expect(await readFile(join(ws.path, 'a.txt'), 'utf8')).toContain('<<<<<<< ');

    // A retry (the worker died before reporting) reports the same conflict.
    expect(await mergeBranches({ workspace: ws.path, branches })).toEqual(result);
    expect(await checkConflicts({ workspace: ws.path })).toEqual({ unresolved: ['a.txt'] });

    // The resolver edits; its step's commit concludes the merge.
    await writeFile(join(ws.path, 'a.txt'), 'one\nTHREE and FOUR\nthree\n');
    await commitWorkspace(ws.path, 'resolve');
    expect(await mergeInProgress(ws.path)).toBe(false);
    expect(await checkConflicts({ workspace: ws.path })).toEqual({ unresolved: [] });

    const carried = await mergeBranches({ workspace: ws.path, branches });
    expect(carried).toMatchObject({ status: 'merged', merged: branches });
    expect(await log(ws.path, 3)).toEqual([
      'merge task/m2/5 (2 parents)',
      'resolve (2 parents)',
      'merge task/m2/3 (2 parents)',
    ]);
    expect(await readFile(join(ws.path, 'e.txt'), 'utf8')).toBe('e\n');
  });

  it('concludes a merge resolved to exactly HEAD, which a step commit cannot record', async () => {
    const ws = await session('m3');
    const six = await task(ws, 'm3', '6', { 'a.txt': 'one\nSIX\nthree\n' });
    const seven = await task(ws, 'm3', '7', { 'a.txt': 'one\nSEVEN\nthree\n' });
    const first = await mergeBranches({ workspace: ws.path, branches: [six, seven] });
    expect(first.status).toBe('conflict');

    await git(['checkout', '--ours', 'a.txt'], { cwd: ws.path });
    expect((await commitWorkspace(ws.path, 'resolve')).changed).toBe(false);
    expect(await checkConflicts({ workspace: ws.path })).toEqual({ unresolved: [] });

    const carried = await mergeBranches({ workspace: ws.path, branches: [six, seven] });
    expect(carried).toMatchObject({ status: 'merged', merged: [six, seven] });
    expect(await mergeInProgress(ws.path)).toBe(false);
    expect(await log(ws.path, 1)).toEqual(['merge task/m3/7 (2 parents)']);
  });

  it('refuses unknown branches and a workspace with uncommitted changes', async () => {
    const ws = await session('m4');
    const error = await failure(mergeBranches({ workspace: ws.path, branches: ['task/m4/99'] }));
    expect(error.message).toContain('does not exist');
    await failure(mergeBranches({ workspace: ws.path, branches: ['--abort'] }));

    const eight = await task(ws, 'm4', '8', { 'h.txt': 'h\n' });
    await writeFile(join(ws.path, 'a.txt'), 'dirty\n');
    const dirty = await failure(mergeBranches({ workspace: ws.path, branches: [eight] }));
    expect(dirty.message).toContain('uncommitted changes (a.txt)');
  });
});

describe('checkConflicts', () => {
  it('lists files committed with conflict markers, but not files that always had them', async () => {
    const ws = await session('c1');
    const one = await task(ws, 'c1', '1', { 'a.txt': 'one\nONE\nthree\n' });
    const two = await task(ws, 'c1', '2', { 'a.txt': 'one\nTWO\nthree\n' });
    await mergeBranches({ workspace: ws.path, branches: [one, two] });
    // A careless resolver commits the file as it is, markers and all.
    await commitWorkspace(ws.path, 'resolve');
    expect(await mergeInProgress(ws.path)).toBe(false);
    expect(await checkConflicts({ workspace: ws.path })).toEqual({ unresolved: ['a.txt'] });
  });

  it('is empty in a clean workspace', async () => {
    const ws = await session('c2');
    const one = await task(ws, 'c2', '1', { 'x.txt': 'x\n' });
    await mergeBranches({ workspace: ws.path, branches: [one] });
    expect(await checkConflicts({ workspace: ws.path })).toEqual({ unresolved: [] });
  });
});
