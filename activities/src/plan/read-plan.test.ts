import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReadPlanResult } from '../contracts.js';
import { makeTempDir } from '../testing/git-fixtures.js';
import { MAX_PLAN_BYTES, readPlan } from './read-plan.js';

let root: string;
let workspace: string;

beforeEach(async () => {
  root = await makeTempDir('read-plan');
  workspace = join(root, 'workspace');
  await mkdir(join(workspace, '.orchestrator'), { recursive: true });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const plan = { tasks: [{ id: 'a', title: 'A', goal: 'Do A' }] };

function read(file: string, maxChildren = 8): Promise<ReadPlanResult> {
  return readPlan({ workspace, file, maxChildren });
}

function refusal(message: string | RegExp) {
  return { ok: false, errors: [{ path: '', message: expect.stringMatching(message) }] };
}

describe('readPlan', () => {
  it('reads and validates the plan the planner wrote', async () => {
    await writeFile(join(workspace, '.orchestrator/plan.json'), JSON.stringify(plan));
    expect(await read('.orchestrator/plan.json')).toEqual({
      ok: true,
      plan: { tasks: [{ ...plan.tasks[0], capabilities: [], dependsOn: [], decompose: false }] },
    });
  });

  it('passes maxChildren on and returns validation errors as they are', async () => {
    const tasks = [1, 2, 3].map((n) => ({ id: `t${n}`, title: 'T', goal: 'G' }));
    await writeFile(join(workspace, 'plan.json'), JSON.stringify({ tasks }));
    const result = await read('plan.json', 2);
    expect(result).toMatchObject({ ok: false, errors: [{ path: 'tasks' }] });
  });

  it('tolerates a byte order mark', async () => {
    await writeFile(join(workspace, 'plan.json'), `\uFEFF${JSON.stringify(plan)}`);
    expect((await read('plan.json')).ok).toBe(true);
  });

  it('says so when no plan was written', async () => {
    expect(await read('.orchestrator/plan.json')).toEqual(
      refusal(/^no plan was written to \.orchestrator\/plan\.json$/),
    );
    expect(await read('missing-dir/plan.json')).toEqual(refusal(/^no plan was written to/));
  });

  it('refuses invalid JSON with the parser message', async () => {
    await writeFile(join(workspace, 'plan.json'), '{"tasks": [');
    expect(await read('plan.json')).toEqual(
      refusal(/^the plan file plan\.json is not valid JSON: .*(end of JSON|Unexpected)/),
    );
    await writeFile(join(workspace, 'empty.json'), '');
    expect(await read('empty.json')).toEqual(refusal(/is not valid JSON/));
  });

  it('refuses a file larger than 1 MB without parsing it', async () => {
    await writeFile(join(workspace, 'plan.json'), ' '.repeat(MAX_PLAN_BYTES + 1));
    expect(await read('plan.json')).toEqual(
      refusal(/is 1048577 bytes; at most 1 MB \(1048576 bytes\) is allowed/),
    );
  });

  it('refuses a directory or a FIFO where the plan should be', async () => {
    await mkdir(join(workspace, 'plan.json'));
    expect(await read('plan.json')).toEqual(refusal(/is not a regular file/));
    execFileSync('mkfifo', [join(workspace, 'fifo.json')]);
    expect(await read('fifo.json')).toEqual(refusal(/is not a regular file/));
  });

  it('refuses a path that leads outside the workspace', async () => {
    await writeFile(join(root, 'outside.json'), JSON.stringify(plan));
    for (const file of ['../outside.json', join(root, 'outside.json'), 'sub/../../outside.json']) {
      expect(await read(file)).toEqual(refusal(/is outside the workspace/));
    }
  });

  it('refuses a symlink to a file outside the workspace', async () => {
    await writeFile(join(root, 'outside.json'), JSON.stringify(plan));
    await symlink(join(root, 'outside.json'), join(workspace, 'plan.json'));
    expect(await read('plan.json')).toEqual(
      refusal(/^the plan file plan\.json is outside the workspace/),
    );
  });

  it('refuses a path through a symlinked directory outside the workspace', async () => {
    await mkdir(join(root, 'elsewhere'));
    await writeFile(join(root, 'elsewhere/plan.json'), JSON.stringify(plan));
    await symlink(join(root, 'elsewhere'), join(workspace, 'linked'));
    expect(await read('linked/plan.json')).toEqual(refusal(/is outside the workspace/));
  });

  it('follows a symlink that stays inside the workspace', async () => {
    await writeFile(join(workspace, 'real.json'), JSON.stringify(plan));
    await symlink('real.json', join(workspace, 'plan.json'));
    expect((await read('plan.json')).ok).toBe(true);
  });

  it('works when the workspace path itself goes through a symlink', async () => {
    await writeFile(join(workspace, 'plan.json'), JSON.stringify(plan));
    await symlink(workspace, join(root, 'alias'));
    const result = await readPlan({
      workspace: join(root, 'alias'),
      file: 'plan.json',
      maxChildren: 8,
    });
    expect(result.ok).toBe(true);
  });

  it('reports a symlink loop as a plan error', async () => {
    await symlink('loop-b.json', join(workspace, 'loop-a.json'));
    await symlink('loop-a.json', join(workspace, 'loop-b.json'));
    expect(await read('loop-a.json')).toEqual(refusal(/is a symlink loop/));
  });

  it("throws when the workspace itself is gone (not the planner's doing)", async () => {
    await expect(
      readPlan({ workspace: join(root, 'gone'), file: 'plan.json', maxChildren: 8 }),
    ).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
