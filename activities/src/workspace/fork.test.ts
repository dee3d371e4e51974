import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrepareWorkspaceResult } from '../contracts.js';
import { createRepository, makeTempDir } from '../testing/git-fixtures.js';
import { commitWorkspace } from './commit.js';
import { resolveForkOrigin, setUpFork } from './fork.js';
import { git, headSha } from './git.js';
import { prepareWorkspace, type WorkspaceSettings } from './prepare.js';
import { resetWorkspaceTo } from './reset.js';

let root: string;
let settings: WorkspaceSettings;
let repository: string;
let origin: PrepareWorkspaceResult;
let stepOne: string;
let stepTwo: string;

beforeAll(async () => {
  root = await makeTempDir('io-fork');
  repository = join(root, 'repos', 'app');
  settings = { workspacesDir: join(root, 'workspaces'), allowedRoots: [join(root, 'repos')] };
  await createRepository(repository, { 'a.txt': 'a0\n' });
  origin = await prepareWorkspace({ sessionId: 'origin', repository }, settings);
  await writeFile(join(origin.path, 'a.txt'), 'a1\n');
  stepOne = (await commitWorkspace(origin.path, 'step 1')).sha!;
  await writeFile(join(origin.path, 'a.txt'), 'a2\n');
  stepTwo = (await commitWorkspace(origin.path, 'step 2')).sha!;
});
afterAll(async () => rm(root, { recursive: true, force: true }));

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApplicationFailure);
  expect((error as ApplicationFailure).type).toBe('WorkspaceError');
  expect((error as ApplicationFailure).nonRetryable).toBe(true);
  return error as ApplicationFailure;
}

async function refs(path: string): Promise<string[]> {
  const result = await git(['for-each-ref', '--format=%(refname)'], { cwd: path });
  return result.stdout.trim().split('\n');
}

describe('prepareWorkspace with from (a fork)', () => {
  it("starts at the origin's older commit and points origin at the repository", async () => {
    const fork = await prepareWorkspace(
      { sessionId: 'fork1', repository, from: { sessionId: 'origin', commitSha: stepOne } },
      settings,
    );
    expect(fork).toEqual({
      path: join(settings.workspacesDir, 'fork1'),
      branch: 'session/fork1',
      baseSha: stepOne,
    });
    expect(await readFile(join(fork.path, 'a.txt'), 'utf8')).toBe('a1\n');
    const url = await git(['remote', 'get-url', 'origin'], { cwd: fork.path });
    expect(url.stdout.trim()).toBe(repository);
    // Like any session's clone: its own branch, and origin/* are the repository's branches.
    expect(await refs(fork.path)).toEqual([
      'refs/heads/session/fork1',
      'refs/remotes/origin/HEAD',
      'refs/remotes/origin/main',
    ]);
    // The origin is left as it was.
    expect(await headSha(origin.path)).toBe(stepTwo);
  });

  it('is idempotent: a second prepare reuses the fork, commits and all', async () => {
    const input = {
      sessionId: 'fork2',
      repository,
      from: { sessionId: 'origin', commitSha: stepOne.slice(0, 8) },
    };
    const first = await prepareWorkspace(input, settings);
    await writeFile(join(first.path, 'mine.txt'), 'fork work\n');
    const step = await commitWorkspace(first.path, 'fork step');
    const second = await prepareWorkspace(input, settings);
    expect(second).toEqual({ ...first, baseSha: step.sha });
  });

  it('forks a checkpoint the origin rewound away, and forks a fork', async () => {
    const rewound = await prepareWorkspace({ sessionId: 'rewound', repository }, settings);
    await writeFile(join(rewound.path, 'a.txt'), 'abandoned\n');
    const abandoned = (await commitWorkspace(rewound.path, 'abandoned step')).sha!;
    await resetWorkspaceTo(rewound.path, rewound.baseSha!);
    const fork = await prepareWorkspace(
      { sessionId: 'fork3', repository, from: { sessionId: 'rewound', commitSha: abandoned } },
      settings,
    );
    expect(fork.baseSha).toBe(abandoned);

    const forkOfFork = await prepareWorkspace(
      { sessionId: 'fork4', repository, from: { sessionId: 'fork3', commitSha: abandoned } },
      settings,
    );
    expect(await readFile(join(forkOfFork.path, 'a.txt'), 'utf8')).toBe('abandoned\n');
    const url = await git(['remote', 'get-url', 'origin'], { cwd: forkOfFork.path });
    expect(url.stdout.trim()).toBe(repository);
  });

  it('fetches a checkpoint the clone did not bring along', async () => {
    const rewound = await prepareWorkspace({ sessionId: 'rewound2', repository }, settings);
    await writeFile(join(rewound.path, 'a.txt'), 'only under the abandoned ref\n');
    const abandoned = (await commitWorkspace(rewound.path, 'abandoned step')).sha!;
    await resetWorkspaceTo(rewound.path, rewound.baseSha!);
    // A clone over the git protocol copies only what branches and tags reach (a local clone
    // hard-links every object, so it would bring the commit anyway).
    const clone = join(root, 'protocol-clone');
    await git(['clone', '--quiet', '--no-local', rewound.path, clone]);
    const missing = await git(['cat-file', '-e', `${abandoned}^{commit}`], {
      cwd: clone,
      allowExitCodes: [1, 128],
    });
    expect(missing.exitCode).not.toBe(0);
    const resolved = await resolveForkOrigin(
      'fork7',
      { sessionId: 'rewound2', commitSha: abandoned },
      settings.workspacesDir,
    );
    await setUpFork(clone, resolved, 'session/fork7');
    expect(await headSha(clone)).toBe(abandoned);
    expect(await readFile(join(clone, 'a.txt'), 'utf8')).toBe('only under the abandoned ref\n');
  });

  it("refuses when the origin's workspace is gone, leaving nothing behind", async () => {
    const error = await failure(
      prepareWorkspace(
        { sessionId: 'fork5', repository, from: { sessionId: 'vanished', commitSha: stepOne } },
        settings,
      ),
    );
    expect(error.message).toContain('is gone');
    expect(await stat(join(settings.workspacesDir, 'fork5')).catch(() => null)).toBeNull();
  });

  it('refuses unknown commits, bad origin ids and a fork of itself', async () => {
    const unknown = await failure(
      prepareWorkspace(
        { sessionId: 'fork6', repository, from: { sessionId: 'origin', commitSha: 'abcdef0123' } },
        settings,
      ),
    );
    expect(unknown.message).toContain('does not exist');
    await failure(
      prepareWorkspace(
        { sessionId: 'fork6', repository, from: { sessionId: 'origin', commitSha: 'HEAD' } },
        settings,
      ),
    );
    await failure(
      prepareWorkspace(
        { sessionId: 'fork6', repository, from: { sessionId: '../origin', commitSha: stepOne } },
        settings,
      ),
    );
    const itself = await failure(
      prepareWorkspace(
        { sessionId: 'fork6', repository, from: { sessionId: 'fork6', commitSha: stepOne } },
        settings,
      ),
    );
    expect(itself.message).toContain('fork of itself');
  });
});
