/**
 * Hostile session inputs, end to end on the real system (gateway, worker, Temporal, Postgres,
 * Redis, git): path traversal in the repository (relative, absolute, `..`, symlinks out of the
 * allowed root, option-shaped git URLs), shell injection through titles, goals and branch names,
 * and oversized payloads. Each is either refused with a problem naming the field, or runs and is
 * shown to have done nothing but what it says.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentConfig } from '@orchestrator/activities/agents/types';
import { createRepository, makeTempDir } from '@orchestrator/activities/testing/git-fixtures';
import { git } from '@orchestrator/activities/workspace/git';
import { testAgents } from './support/agents.js';
import { eventually, ROOT, startStack, type Stack } from './support/stack.js';

/** Writes what it was given, so a test can see the goal arrived as data and argv without it. */
const inspectAgent: AgentConfig = {
  name: 'inspect',
  kind: 'command',
  description: 'records its argv and its goal as files in the workspace',
  command: [
    'sh',
    '-c',
    'tr "\\000" "\\n" < /proc/$$/cmdline > argv.txt; printf "%s" "$ORCHESTRATOR_GOAL" > goal.txt',
  ],
};

let stack: Stack;
let outside: string;
let allowedRoot: string;

interface Problem {
  status: number;
  title: string;
  detail: string;
  errors?: Array<{ path: string; message: string }>;
}

beforeAll(async () => {
  stack = await startStack({ agents: [...testAgents, inspectAgent] });
  allowedRoot = stack.settings.allowedRoots[0]!;
  outside = await makeTempDir('io-outside');
});

afterAll(async () => {
  await stack?.stop();
  if (outside) await rm(outside, { recursive: true, force: true });
});

function startSession(body: Record<string, unknown>): Promise<Response> {
  return stack.api('/api/sessions', {
    method: 'POST',
    json: {
      title: 'hostile',
      goal: 'nothing',
      agent: 'echo',
      repository: stack.sampleRepository,
      ...body,
    },
  });
}

/** A 4xx problem+json whose `errors` name `field`. */
async function expectProblem(response: Response, status: number, field: string): Promise<Problem> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = JSON.parse(text) as Problem;
  expect(problem.status).toBe(status);
  expect(
    problem.errors?.map((e) => e.path),
    text,
  ).toContain(field);
  return problem;
}

async function finished(
  id: string,
): Promise<{ status: string; error: string | null; title: string; goal: string }> {
  return eventually(
    async () => {
      const session = (await (await stack.api(`/api/sessions/${id}`)).json()) as {
        status: string;
        error: string | null;
        title: string;
        goal: string;
      };
      return ['completed', 'failed', 'cancelled'].includes(session.status) ? session : undefined;
    },
    60_000,
    `session ${id} to finish`,
  );
}

async function startedId(response: Response): Promise<string> {
  const text = await response.text();
  expect(response.status, text).toBe(201);
  return (JSON.parse(text) as { id: string }).id;
}

describe('path traversal through the repository', () => {
  it('refuses relative paths, paths outside the allowed roots and other URL schemes, naming body.repository', async () => {
    const sample = stack.sampleRepository;
    for (const repository of [
      '../../etc',
      'repos/sample',
      './sample',
      '~/.ssh',
      '/etc',
      '/',
      `${allowedRoot}/../..`,
      `${sample}/../../../../etc/passwd`,
      `${allowedRoot}/../${randomUUID()}`,
      outside,
      'file:///etc/passwd',
      'ext::sh -c touch% /tmp/pwned',
      '-oProxyCommand=touch /tmp/pwned',
      '--upload-pack=touch /tmp/pwned@127.0.0.1:x',
      `${allowedRoot}\u0000/../etc`,
    ]) {
      const problem = await expectProblem(
        await startSession({ repository }),
        400,
        'body.repository',
      );
      expect(problem.detail, repository).not.toBe('');
    }
  });

  it('does not clone a repository reached through a symlink out of the allowed root', async () => {
    const secretRepo = join(outside, 'secret');
    await createRepository(secretRepo, { 'secret.txt': 'outside the allowed root\n' });
    const viaLink = join(allowedRoot, `escape-${randomUUID()}`);
    await symlink(secretRepo, viaLink);
    const linkedParent = join(allowedRoot, `parent-${randomUUID()}`);
    await symlink(outside, linkedParent);

    for (const repository of [viaLink, join(linkedParent, 'secret')]) {
      const response = await startSession({ repository });
      // The gateway may not share the worker's filesystem, so it checks lexically and the
      // worker refuses after resolving symlinks; refusing up front would do as well.
      if (response.status === 400) {
        await expectProblem(response, 400, 'body.repository');
        continue;
      }
      const id = await startedId(response);
      const session = await finished(id);
      expect(session.status).toBe('failed');
      expect(session.error).toContain('not under an allowed root');
      expect(existsSync(join(stack.settings.workspacesDir, id))).toBe(false);
    }
  });

  it('does not let an option-shaped git URL run a command', async () => {
    const marker = `pwned-${randomUUID()}`;
    // Matches the git URL form (ssh://host/path) with a host that ssh would read as an option.
    const repository = `ssh://-oProxyCommand=touch\${IFS}${marker}/repo.git`;
    try {
      // Refused up front: an option-like host is not a git URL (no clone is even tried).
      const response = await startSession({ repository });
      await expectProblem(response, 400, 'body.repository');
      for (const where of [ROOT, process.cwd(), stack.settings.workspacesDir]) {
        expect(existsSync(join(where, marker)), `${marker} in ${where}`).toBe(false);
      }
    } finally {
      await rm(join(process.cwd(), marker), { force: true });
    }
  });
});

describe('path traversal through names and ids', () => {
  it('refuses dot-dot and separators in every name or id that could become a path', async () => {
    const traversal = '../../etc/passwd';
    const encoded = encodeURIComponent(traversal);
    await expectProblem(await stack.api(`/api/sessions/${encoded}`), 400, 'params.id');
    await expectProblem(
      await stack.api(`/api/sessions/${encoded}/retry`, { method: 'POST' }),
      400,
      'params.id',
    );
    await expectProblem(await stack.api(`/api/agents/${encoded}`), 400, 'params.name');
    await expectProblem(
      await stack.api('/api/agents', {
        method: 'POST',
        json: { name: traversal, kind: 'command', command: ['true'] },
      }),
      400,
      'body.name',
    );
    const sample = await startedId(await startSession({ agent: 'echo' }));
    await expectProblem(
      await stack.api(`/api/sessions/${sample}/logs?after=${encoded}`),
      400,
      'query.after',
    );
  });
});

describe('shell injection through titles, goals and branch names', () => {
  it('passes a goal full of shell syntax to the agent as inert data, never in argv', async () => {
    const traps = await makeTempDir('io-traps');
    const canary = join(traps, 'canary');
    await mkdir(canary);
    await writeFile(join(canary, 'alive.txt'), 'still here\n');
    const m = (name: string) => join(traps, `pwned-${name}`);
    const goal = [
      `$(touch ${m('dollar')})`,
      `\`touch ${m('backtick')}\``,
      `; touch ${m('semicolon')}`,
      `&& touch ${m('and')} || touch ${m('or')} | touch ${m('pipe')}`,
      `'"$(touch ${m('quoted')})"'`,
      `\n; rm -rf ${canary}`,
      `$((6*7)) \${HOME} %s%n \\x00 > ${m('redirect')}`,
    ].join(' ');
    try {
      const id = await startedId(await startSession({ agent: 'inspect', goal }));
      const session = await finished(id);
      expect(session.status, session.error ?? '').toBe('completed');
      expect(session.goal).toBe(goal);

      const workspace = join(stack.settings.workspacesDir, id);
      expect(await readFile(join(workspace, 'goal.txt'), 'utf8')).toBe(goal);
      const argv = await readFile(join(workspace, 'argv.txt'), 'utf8');
      expect(argv.split('\n').slice(0, 2)).toEqual(['sh', '-c']);
      expect(argv).not.toContain('touch');
      for (const name of [
        'dollar',
        'backtick',
        'semicolon',
        'and',
        'or',
        'pipe',
        'quoted',
        'redirect',
      ]) {
        expect(existsSync(m(name)), `pwned-${name}`).toBe(false);
      }
      expect(await readFile(join(canary, 'alive.txt'), 'utf8')).toBe('still here\n');
      // The goal's first line becomes the commit subject, through git's argv, not a shell.
      const subject = await git(['log', '-1', '--format=%s'], { cwd: workspace });
      expect(subject.stdout).toContain(`$(touch ${m('dollar')})`);
    } finally {
      await rm(traps, { recursive: true, force: true });
    }
  });

  it('keeps a title full of shell syntax as text', async () => {
    const traps = await makeTempDir('io-traps');
    const title = `$(touch ${traps}/t1) \`touch ${traps}/t2\`; touch ${traps}/t3 #`;
    try {
      const id = await startedId(await startSession({ title, agent: 'inspect', goal: 'ok' }));
      const session = await finished(id);
      expect(session.status, session.error ?? '').toBe('completed');
      expect(session.title).toBe(title);
      for (const name of ['t1', 't2', 't3']) expect(existsSync(join(traps, name))).toBe(false);
    } finally {
      await rm(traps, { recursive: true, force: true });
    }
  });

  it('takes no branch name from the client: the field is refused and the branch is session/<id>', async () => {
    for (const branch of ['main; touch /tmp/pwned', '--upload-pack=x', '../../refs/heads/main']) {
      await expectProblem(await startSession({ branch }), 400, 'body.branch');
    }
    const id = await startedId(await startSession({ agent: 'inspect', goal: 'branch check' }));
    expect((await finished(id)).status).toBe('completed');
    const head = await git(['symbolic-ref', '--short', 'HEAD'], {
      cwd: join(stack.settings.workspacesDir, id),
    });
    expect(head.stdout.trim()).toBe(`session/${id}`);
  });

  it('refuses NUL bytes, which no process argument or environment can carry', async () => {
    await expectProblem(await startSession({ goal: 'a\u0000b' }), 400, 'body.goal');
    await expectProblem(await startSession({ title: 'a\u0000b' }), 400, 'body.title');
  });
});

describe('oversized payloads', () => {
  it('answers a body over the limit with a 413 problem naming the body', async () => {
    const big = { title: 'big', goal: 'x'.repeat(70 * 1024), repository: '/r', agent: 'echo' };
    const problem = await expectProblem(await startSession(big), 413, 'body');
    expect(problem.detail).toMatch(/64 ?kb|65536/i);
  });

  it('measures a compressed body after inflating it (no gzip bomb)', async () => {
    const bomb = gzipSync(JSON.stringify({ goal: ' '.repeat(20 * 1024 * 1024) }));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const response = await stack.api('/api/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: bomb,
    });
    await expectProblem(response, 413, 'body');
  });

  it('refuses fields over their length, naming each', async () => {
    const response = await startSession({
      title: 't'.repeat(201),
      goal: 'g'.repeat(20_001),
      repository: `/${'r'.repeat(1024)}`,
    });
    const problem = await expectProblem(response, 400, 'body.title');
    expect(problem.errors?.map((e) => e.path)).toEqual(
      expect.arrayContaining(['body.title', 'body.goal', 'body.repository']),
    );
  });

  it('refuses deeply nested and many-keyed JSON within the limit without a server error', async () => {
    const deep = `{"title":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const nested = await stack.api('/api/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: deep,
    });
    expect(nested.status).toBe(400);
    const keys = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, i]));
    const problem = await expectProblem(
      await startSession({ ...keys, repository: stack.sampleRepository }),
      400,
      'body.k0',
    );
    expect(problem.errors?.length).toBeGreaterThanOrEqual(3000);
  });

  it('answers oversized request headers with a problem, not a bare status line', async () => {
    const url = new URL(stack.baseUrl);
    const answer = await new Promise<{ status: number; type: string; body: string }>(
      (resolve, reject) => {
        const req = request({
          host: url.hostname,
          port: url.port,
          path: '/api/sessions',
          headers: { 'x-padding': 'p'.repeat(64 * 1024) },
        });
        req.on('response', (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              type: String(res.headers['content-type']),
              body,
            }),
          );
        });
        req.on('error', reject);
        req.end();
      },
    );
    expect(answer.status).toBe(431);
    expect(answer.type).toMatch(/^application\/problem\+json/);
    expect((JSON.parse(answer.body) as Problem).errors?.map((e) => e.path)).toContain('headers');
  });
});
