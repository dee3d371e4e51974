/**
 * Determinism guard: histories of representative sessions and their tasks, recorded by
 * `npm run histories:record` (tests/task-tree.test.ts with RECORD_HISTORIES) and committed under
 * workflows/test-histories/, are replayed against today's workflow code. A change that would
 * make a running session's workflow take a different path on replay fails here, in CI, instead
 * of in production after a deploy.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { sharedWorkflowBundle } from './support/stack.js';

const HISTORIES = fileURLToPath(new URL('../workflows/test-histories', import.meta.url));

async function recordedHistories() {
  const cases: Array<{ name: string; workflowId: string; file: string }> = [];
  const folders = await readdir(HISTORIES, { withFileTypes: true });
  for (const name of folders
    .filter((entry) => entry.isDirectory())
    .map((e) => e.name)
    .sort()) {
    for (const file of (await readdir(join(HISTORIES, name))).sort()) {
      if (file.endsWith('.json')) {
        cases.push({
          name,
          workflowId: file.replace(/\.json$/, ''),
          file: join(HISTORIES, name, file),
        });
      }
    }
  }
  return cases;
}

describe('replay of recorded histories', () => {
  it('replays every recorded session and task history without a nondeterminism error', async () => {
    const cases = await recordedHistories();
    // The representative set: a plain session, trees that complete, fail, stop, wait and rewind.
    expect(new Set(cases.map((c) => c.name)).size).toBeGreaterThanOrEqual(8);
    expect(cases.some((c) => c.workflowId.includes('.'))).toBe(true);
    const histories = await Promise.all(
      cases.map(async (c) => ({
        workflowId: c.workflowId,
        history: historyFromJSON(JSON.parse(await readFile(c.file, 'utf8'))),
      })),
    );
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: await sharedWorkflowBundle(), replayName: 'recorded-histories' },
      histories,
    )) {
      replayed++;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(cases.length);
  }, 120_000);
});
