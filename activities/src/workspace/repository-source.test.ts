import { mkdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/git-fixtures.js';
import { isGitUrl, resolveRepositorySource } from './repository-source.js';

describe('repository sources', () => {
  let root: string;
  let outside: string;
  beforeAll(async () => {
    root = await makeTempDir('io-roots');
    outside = await makeTempDir('io-outside');
    await mkdir(join(root, 'repo'));
    await mkdir(join(root, '..hidden'));
    await symlink(outside, join(root, 'escape'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('recognises git URLs', () => {
    for (const url of [
      'https://github.com/temporalio/samples-typescript.git',
      'ssh://git@example.com:2222/team/repo.git',
      'git://example.com/repo',
      'git@github.com:temporalio/sdk-typescript.git',
    ]) {
      expect(isGitUrl(url)).toBe(true);
    }
    for (const notUrl of [
      'http://example.com/repo', // plain http is not offered
      'file:///etc',
      'ext::sh -c touch% /tmp/pwned',
      '--upload-pack=touch /tmp/x',
      '/abs/path',
      'relative/path',
      'https://',
      // Option-like hosts and users: ssh would take them for options.
      'ssh://-oProxyCommand=touch%20/tmp/pwned/repo',
      'ssh://-oProxyCommand=x@host/repo',
      'git://-host/repo',
      '-oProxyCommand=x@host:repo',
      'git@-oProxyCommand=x:repo',
      'git@host:-repo',
    ]) {
      expect(isGitUrl(notUrl)).toBe(false);
    }
  });

  it('accepts a local path inside an allowed root, resolved', async () => {
    expect(await resolveRepositorySource(join(root, 'repo'), [root])).toEqual({
      kind: 'path',
      path: join(root, 'repo'),
    });
    expect(await resolveRepositorySource(join(root, '..hidden'), [root])).toMatchObject({
      kind: 'path',
    });
    expect(await resolveRepositorySource(join(root, 'repo', '..', 'repo'), [root])).toMatchObject({
      kind: 'path',
    });
  });

  async function rejection(repository: string, roots: string[]): Promise<ApplicationFailure> {
    const error = await resolveRepositorySource(repository, roots).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    const failure = error as ApplicationFailure;
    expect(failure.type).toBe('WorkspaceError');
    expect(failure.nonRetryable).toBe(true);
    return failure;
  }

  it('rejects paths outside the roots, naming the roots', async () => {
    const failure = await rejection(outside, [root]);
    expect(failure.message).toContain('not under an allowed root');
    expect(failure.message).toContain(root);
  });

  it('rejects a symlink inside a root that points outside it', async () => {
    const failure = await rejection(join(root, 'escape'), [root]);
    expect(failure.message).toContain(`resolves to ${outside}`);
  });

  it('rejects relative paths, missing paths and other strings', async () => {
    expect((await rejection('repo', [root])).message).toContain('neither a git URL');
    expect((await rejection(join(root, 'missing'), [root])).message).toContain('does not exist');
    expect((await rejection('file:///etc', [root])).message).toContain('neither a git URL');
    expect((await rejection(join(root, 'repo'), [])).message).toContain('(none configured)');
  });
});
