/**
 * The checkpoint chain: every completed step is numbered and hashed together with the hash of the
 * step before it, so a checkpoint that was altered, dropped or reordered after the fact shows.
 *
 * Bundled into the workflow sandbox: pure functions only, no Node built-ins (checked by a test).
 */
import canonicalize from 'canonicalize';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { Checkpoint, CheckpointDraft } from './types.js';

/** What the first checkpoint's `prevHash` holds. */
export const GENESIS_HASH = '0'.repeat(64);

/** The part of a checkpoint its hash covers. */
export type CheckpointBody = Omit<Checkpoint, 'hash' | 'prevHash'>;

export interface ChainLink {
  seq: number;
  ok: boolean;
  /** What is wrong with this checkpoint or its link to the one before it; null when ok. */
  problem: string | null;
}

export interface ChainVerification {
  verified: boolean;
  checked: number;
  links: ChainLink[];
  /** seq of the first checkpoint (in chain order) that is not ok. */
  firstBroken: number | null;
}

/**
 * RFC 8785 canonical JSON: keys sorted, no whitespace, fields holding `undefined` dropped, so the
 * same data hashes the same whatever order its keys were built in.
 */
export function canonicalJson(value: unknown): string {
  // canonicalize answers undefined for a top-level value JSON cannot hold (a void activity
  // result); history holds that as null, so it digests as null instead of failing the workflow.
  return canonicalize(value) ?? 'null';
}

function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** sha256 (hex) of the canonical JSON of a value, e.g. an activity's result. */
export function digest(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

export function checkpointHash(prevHash: string, body: CheckpointBody): string {
  return sha256Hex(prevHash + canonicalJson(body));
}

/** The draft numbered and chained after the chain's last checkpoint; the chain is not changed. */
export function appendCheckpoint(chain: Checkpoint[], draft: CheckpointDraft): Checkpoint {
  const last = chain.at(-1);
  const seq = last ? last.seq + 1 : 1;
  const prevHash = last ? last.hash : GENESIS_HASH;
  // A draft built by copying a checkpoint (a fork, a test) can still carry the chain fields;
  // they must not leak into the body the hash covers.
  const {
    seq: _seq,
    prevHash: _prevHash,
    hash: _hash,
    ...fields
  } = draft as CheckpointDraft & Partial<Pick<Checkpoint, 'seq' | 'prevHash' | 'hash'>>;
  const body: CheckpointBody = { seq, ...fields };
  return { ...body, prevHash, hash: checkpointHash(prevHash, body) };
}

function missing(from: number, to: number): string {
  return from === to ? `checkpoint ${from} is missing` : `checkpoints ${from}–${to} are missing`;
}

/** Whether a checkpoint's hash matches its own content (null: it does). */
function contentProblem(checkpoint: Checkpoint): string | null {
  try {
    const { hash, prevHash, ...body } = checkpoint;
    return checkpointHash(prevHash, body) === hash ? null : 'hash does not match its content';
  } catch (error) {
    // canonicalize refuses NaN, Infinity, lone surrogates and cycles: such a checkpoint was
    // not produced by appendCheckpoint.
    return `cannot be hashed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** How a checkpoint's seq and prevHash fit the checkpoint given before it (null: they do). */
function linkProblem(checkpoint: Checkpoint, previous: Checkpoint | undefined): string | null {
  if (!previous) {
    if (checkpoint.seq > 1) return missing(1, checkpoint.seq - 1);
    if (checkpoint.seq !== 1) return `seq ${String(checkpoint.seq)} is not a sequence number`;
    return checkpoint.prevHash === GENESIS_HASH ? null : 'does not link to the genesis hash';
  }
  if (checkpoint.seq === previous.seq) return `repeats checkpoint ${previous.seq}`;
  if (checkpoint.seq < previous.seq) return `out of order: comes after checkpoint ${previous.seq}`;
  // A gap also breaks the hash link; the gap is the more useful thing to say.
  if (checkpoint.seq > previous.seq + 1) return missing(previous.seq + 1, checkpoint.seq - 1);
  return checkpoint.prevHash === previous.hash
    ? null
    : `does not link to checkpoint ${previous.seq}`;
}

/**
 * Checks every checkpoint's own hash and its link to the checkpoint given before it. Reports
 * rather than throws: after a broken link the rest are still checked, each against its
 * predecessor as given, so one bad checkpoint does not hide another.
 */
export function verifyCheckpointChain(chain: Checkpoint[]): ChainVerification {
  const links: ChainLink[] = chain.map((checkpoint, index) => {
    if (typeof checkpoint !== 'object' || checkpoint === null) {
      return { seq: index + 1, ok: false, problem: 'is not a checkpoint' };
    }
    const previous = index > 0 ? chain[index - 1] : undefined;
    const link =
      index > 0 && (typeof previous !== 'object' || previous === null)
        ? 'does not follow a checkpoint'
        : linkProblem(checkpoint, previous);
    const problems = [contentProblem(checkpoint), link].filter(
      (problem): problem is string => problem !== null,
    );
    return {
      seq: checkpoint.seq,
      ok: problems.length === 0,
      problem: problems.length === 0 ? null : problems.join('; '),
    };
  });
  const firstBroken = links.find((link) => !link.ok)?.seq ?? null;
  return { verified: firstBroken === null, checked: links.length, links, firstBroken };
}
