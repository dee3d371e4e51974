import { describe, expect, it } from 'vitest';
import { checkpoint, sessionDetail } from '$lib/testing/fixtures';
import {
  chainSignature,
  describeVerification,
  linkMarks,
  markOf,
  shortHash,
  whereLabel,
} from './checkpoint-chain';

describe('checkpoint chain marks', () => {
  it('marks each link verified or broken with its problem, the rest unchecked', () => {
    const marks = linkMarks({
      verified: false,
      checked: 2,
      links: [
        { seq: 1, ok: true, problem: null },
        { seq: 2, ok: false, problem: 'prevHash does not match #1' },
        { seq: 3, ok: false, problem: null },
      ],
      firstBroken: 2,
    });
    expect(markOf(marks, 1)).toEqual({ state: 'verified' });
    expect(markOf(marks, 2)).toEqual({ state: 'broken', problem: 'prevHash does not match #1' });
    expect(markOf(marks, 3)).toMatchObject({ state: 'broken' });
    expect(markOf(marks, 4)).toEqual({ state: 'unchecked' });
    expect(markOf(linkMarks(null), 1)).toEqual({ state: 'unchecked' });
  });

  it('describes the verification for the timeline head', () => {
    const base = { checked: 3, links: [], firstBroken: null };
    expect(describeVerification({ ...base, verified: true })).toBe('chain verified (3)');
    expect(describeVerification({ ...base, verified: false, firstBroken: 2 })).toBe(
      'chain broken at #2',
    );
    expect(describeVerification(null)).toBe('not checked');
  });

  it('changes its signature with a new run, a new checkpoint or a new hash', () => {
    const one = sessionDetail('s1', { checkpoints: [checkpoint(1)] });
    const same = chainSignature(one);
    expect(chainSignature({ ...one })).toBe(same);
    expect(chainSignature({ ...one, runId: 'run-2' })).not.toBe(same);
    expect(chainSignature({ ...one, checkpoints: [checkpoint(1), checkpoint(2)] })).not.toBe(same);
    expect(chainSignature({ ...one, checkpoints: [checkpoint(1, { hash: 'other' })] })).not.toBe(
      same,
    );
    expect(chainSignature(null)).toBe('');
  });

  it('labels where a step ran and shortens its hash', () => {
    expect(whereLabel(checkpoint(1))).toBe('session');
    expect(whereLabel(checkpoint(1, { taskPath: '2.1' }))).toBe('task 2.1');
    expect(shortHash({ hash: 'abcdef0123456789' })).toBe('abcdef01');
  });
});
