import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  appendCheckpoint,
  canonicalJson,
  checkpointHash,
  digest,
  GENESIS_HASH,
  verifyCheckpointChain,
} from './checkpoint.js';
import type { Checkpoint, CheckpointDraft } from './types.js';

function draft(step: number, overrides: Partial<CheckpointDraft> = {}): CheckpointDraft {
  return {
    workflowId: 'session-7f3k',
    eventId: 10 + step * 6,
    taskPath: '',
    role: 'work',
    agent: 'claude',
    commitSha: `${step}`.repeat(40),
    changed: true,
    exitCode: 0,
    summary: `step ${step} done`,
    usage: {
      inputTokens: 100 * step,
      outputTokens: 10 * step,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: 0.01 * step,
    },
    startedAt: `2026-01-01T00:0${step}:00.000Z`,
    finishedAt: `2026-01-01T00:0${step}:30.000Z`,
    resultDigest: digest({ step }),
    ...overrides,
  };
}

function chainOf(count: number): Checkpoint[] {
  let chain: Checkpoint[] = [];
  for (let step = 1; step <= count; step++)
    chain = [...chain, appendCheckpoint(chain, draft(step))];
  return chain;
}

function problemAt(chain: Checkpoint[], seq: number): string | null | undefined {
  return verifyCheckpointChain(chain).links.find((link) => link.seq === seq)?.problem;
}

describe('canonicalJson and digest', () => {
  it('sorts keys and drops undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: null }, e: undefined })).toBe(
      '{"a":{"c":null,"d":[1,"x"]},"b":1}',
    );
  });

  it('gives equal objects built in a different key order the same digest', () => {
    const one = { exitCode: 0, usage: { inputTokens: 1, outputTokens: 2 }, summary: 'ok' };
    const two = { summary: 'ok', usage: { outputTokens: 2, inputTokens: 1 }, exitCode: 0 };
    expect(digest(one)).toBe(digest(two));
    expect(digest(one)).toMatch(/^[0-9a-f]{64}$/);
    expect(digest({ ...one, exitCode: 1 })).not.toBe(digest(one));
  });

  it('digests a void result as null', () => {
    expect(digest(undefined)).toBe(digest(null));
  });
});

describe('appendCheckpoint', () => {
  it('numbers from 1 and links the first checkpoint to the genesis hash', () => {
    const first = appendCheckpoint([], draft(1));
    expect(GENESIS_HASH).toBe('0'.repeat(64));
    expect(first.seq).toBe(1);
    expect(first.prevHash).toBe(GENESIS_HASH);
    const { hash, prevHash, ...body } = first;
    expect(hash).toBe(checkpointHash(prevHash, body));
  });

  it('chains each checkpoint to the one before and leaves the chain alone', () => {
    const chain = chainOf(2);
    const copy = structuredClone(chain);
    const third = appendCheckpoint(chain, draft(3));
    expect(chain).toEqual(copy);
    expect(third.seq).toBe(3);
    expect(third.prevHash).toBe(chain[1]?.hash);
  });

  it('hashes the same whatever order the draft keys were built in', () => {
    const forward = draft(1);
    const reversed = Object.fromEntries(
      Object.entries(forward)
        .reverse()
        .map(([key, value]) => [
          key,
          key === 'usage' ? Object.fromEntries(Object.entries(value as object).reverse()) : value,
        ]),
    ) as CheckpointDraft;
    expect(Object.keys(reversed)[0]).toBe('resultDigest');
    expect(appendCheckpoint([], reversed).hash).toBe(appendCheckpoint([], forward).hash);
  });

  it('ignores chain fields a draft copied from a checkpoint still carries', () => {
    const [first] = chainOf(1) as [Checkpoint];
    const again = appendCheckpoint([first], first);
    expect(again.seq).toBe(2);
    expect(again.prevHash).toBe(first.hash);
  });
});

describe('verifyCheckpointChain', () => {
  it('verifies a chain of three', () => {
    const result = verifyCheckpointChain(chainOf(3));
    expect(result).toEqual({
      verified: true,
      checked: 3,
      firstBroken: null,
      links: [1, 2, 3].map((seq) => ({ seq, ok: true, problem: null })),
    });
  });

  it('verifies an empty chain', () => {
    expect(verifyCheckpointChain([])).toMatchObject({ verified: true, checked: 0 });
  });

  it.each([
    ['summary', { summary: 'something else' }],
    ['commitSha', { commitSha: 'f'.repeat(40) }],
    ['usage', { usage: null }],
    ['usage.costUsd', { usage: { ...draft(2).usage!, costUsd: 0 } }],
    ['routing (added)', { routing: { agent: 'codex', reason: 'cheaper' } }],
  ])('reports an altered %s at the checkpoint that was altered', (_field, change) => {
    const chain = chainOf(3);
    chain[1] = { ...chain[1]!, ...change };
    const result = verifyCheckpointChain(chain);
    expect(result.verified).toBe(false);
    expect(result.firstBroken).toBe(2);
    expect(result.links.map((link) => link.ok)).toEqual([true, false, true]);
    expect(problemAt(chain, 2)).toBe('hash does not match its content');
  });

  it('reports a checkpoint rehashed after a change by the broken link after it', () => {
    const chain = chainOf(3);
    const { hash: _hash, prevHash, ...body } = { ...chain[1]!, summary: 'forged' };
    chain[1] = { ...body, prevHash, hash: checkpointHash(prevHash, body) };
    const result = verifyCheckpointChain(chain);
    expect(result.firstBroken).toBe(3);
    expect(problemAt(chain, 3)).toBe('does not link to checkpoint 2');
  });

  it('reports a removed checkpoint as a missing link', () => {
    const [first, , third] = chainOf(3) as [Checkpoint, Checkpoint, Checkpoint];
    const result = verifyCheckpointChain([first, third]);
    expect(result.verified).toBe(false);
    expect(result.firstBroken).toBe(3);
    expect(result.links).toEqual([
      { seq: 1, ok: true, problem: null },
      { seq: 3, ok: false, problem: 'checkpoint 2 is missing' },
    ]);
  });

  it('reports a chain whose first checkpoints were removed', () => {
    const chain = chainOf(4).slice(2);
    expect(problemAt(chain, 3)).toBe('checkpoints 1–2 are missing');
    expect(problemAt(chain, 4)).toBeNull();
  });

  it('reports a first checkpoint that does not link to the genesis hash', () => {
    const first = appendCheckpoint([], draft(1));
    const { hash: _hash, ...rest } = { ...first, prevHash: 'a'.repeat(64) };
    const { prevHash, ...body } = rest;
    const relinked = { ...rest, hash: checkpointHash(prevHash, body) };
    expect(problemAt([relinked], 1)).toBe('does not link to the genesis hash');
  });

  it('reports reordered checkpoints, checking each against its predecessor as given', () => {
    const [first, second, third] = chainOf(3) as [Checkpoint, Checkpoint, Checkpoint];
    const result = verifyCheckpointChain([first, third, second]);
    expect(result.verified).toBe(false);
    expect(result.firstBroken).toBe(3);
    expect(result.links).toEqual([
      { seq: 1, ok: true, problem: null },
      { seq: 3, ok: false, problem: 'checkpoint 2 is missing' },
      { seq: 2, ok: false, problem: 'out of order: comes after checkpoint 3' },
    ]);
  });

  it('reports a duplicated checkpoint', () => {
    const [first, second] = chainOf(2) as [Checkpoint, Checkpoint];
    expect(problemAt([first, second, second], 2)).toBeNull();
    expect(verifyCheckpointChain([first, second, second]).links[2]).toEqual({
      seq: 2,
      ok: false,
      problem: 'repeats checkpoint 2',
    });
  });

  it('keeps checking after the first broken link', () => {
    const chain = chainOf(5);
    chain[1] = { ...chain[1]!, summary: 'changed' };
    chain[3] = { ...chain[3]!, exitCode: 1 };
    const result = verifyCheckpointChain(chain);
    expect(result.firstBroken).toBe(2);
    expect(result.links.map((link) => link.ok)).toEqual([true, false, true, false, true]);
  });

  it('reports, not throws, for content that cannot be hashed or is not a checkpoint', () => {
    const chain = chainOf(2);
    chain[1] = { ...chain[1]!, exitCode: Number.NaN };
    expect(problemAt(chain, 2)).toBe('cannot be hashed: NaN is not allowed');
    const withNull = [chain[0]!, null as unknown as Checkpoint, chainOf(3)[2]!];
    const result = verifyCheckpointChain(withNull);
    expect(result.links.map((link) => link.problem)).toEqual([
      null,
      'is not a checkpoint',
      'does not follow a checkpoint',
    ]);
  });
});

describe('the module in the workflow sandbox', () => {
  it('imports no Node built-ins', async () => {
    const source = await readFile(new URL('./checkpoint.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/from\s+['"]node:/);
    expect(source).not.toMatch(/\brequire\s*\(/);
    const imported = [...source.matchAll(/^import\s[^;]*?from\s+'([^']+)'/gms)].map(
      (match) => match[1],
    );
    expect(imported).toEqual([
      'canonicalize',
      '@noble/hashes/sha2.js',
      '@noble/hashes/utils.js',
      './types.js',
    ]);
    expect(imported.filter((name) => builtinModules.includes(name!))).toEqual([]);
  });
});
