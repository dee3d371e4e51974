import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeSessionWorkspaces } from './cleanup.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'io-cleanup-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function touch(...parts: string[]): Promise<void> {
  await mkdir(join(dir, ...parts), { recursive: true });
  await writeFile(join(dir, ...parts, 'file'), 'x');
}

describe('removeSessionWorkspaces', () => {
  it("removes the session's clone, its tasks' worktrees and its agents' state, nothing else", async () => {
    await touch('abc');
    await touch('abc.1');
    await touch('abc.2.1');
    await touch('abcd');
    await touch('abc-other');
    await touch('abc.notes');
    await touch('.agent-state', 'abc', 'claude');
    await touch('.agent-state', 'abc.1', 'codex');
    await touch('.agent-state', 'abcd', 'claude');

    const removed = await removeSessionWorkspaces(dir, 'abc');
    expect(removed.map((path) => path.slice(dir.length + 1)).sort()).toEqual([
      '.agent-state/abc',
      '.agent-state/abc.1',
      'abc',
      'abc.1',
      'abc.2.1',
    ]);
    expect((await readdir(dir)).sort()).toEqual(['.agent-state', 'abc-other', 'abc.notes', 'abcd']);
    expect(await readdir(join(dir, '.agent-state'))).toEqual(['abcd']);
  });

  it('is a no-op for a session with nothing on disk, or no workspaces folder at all', async () => {
    expect(await removeSessionWorkspaces(dir, 'gone')).toEqual([]);
    expect(await removeSessionWorkspaces(join(dir, 'missing'), 'gone')).toEqual([]);
  });

  it('refuses ids that could reach outside the workspaces folder', async () => {
    await expect(removeSessionWorkspaces(dir, '../etc')).rejects.toThrow(/cannot name a workspace/);
    await expect(removeSessionWorkspaces(dir, '')).rejects.toThrow(/cannot name a workspace/);
  });
});
