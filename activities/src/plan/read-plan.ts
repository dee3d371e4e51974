/**
 * The readPlan activity: reads the plan a planning step wrote into its workspace. Everything the
 * planner can get wrong is answered as plan errors (it gets another try with them); only I/O
 * failures it cannot cause are thrown, so Temporal retries them.
 */
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { PlanError, ReadPlanInput, ReadPlanResult } from '../contracts.js';
import { validatePlan } from './validate-plan.js';

export const MAX_PLAN_BYTES = 1024 * 1024;

function refused(message: string): ReadPlanResult {
  const error: PlanError = { path: '', message };
  return { ok: false, errors: [error] };
}

/** The directory itself counts as inside: it is then refused as not a regular file. */
function isInside(directory: string, path: string): boolean {
  const rel = relative(directory, path);
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

export async function readPlan(input: ReadPlanInput): Promise<ReadPlanResult> {
  const { file } = input;
  const escapes = `the plan file ${file} is outside the workspace; write it inside the workspace`;
  // The planner's own files decide where the path leads, so check the path as written (for a
  // file not yet there) and where it really leads once symlinks are followed.
  if (!isInside(resolve(input.workspace), resolve(input.workspace, file))) return refused(escapes);
  const workspace = await realpath(input.workspace);

  let target: string;
  try {
    target = await realpath(resolve(workspace, file));
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return refused(`no plan was written to ${file}`);
    if (code === 'ELOOP') return refused(`the plan file ${file} is a symlink loop`);
    throw error;
  }
  if (!isInside(workspace, target)) return refused(escapes);

  // Size and content from one open file, so the size checked is the size read; non-blocking so
  // a FIFO planted at the path cannot hang the activity before stat refuses it.
  const handle = await open(target, constants.O_RDONLY | constants.O_NONBLOCK);
  let text: string;
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return refused(`the plan file ${file} is not a regular file`);
    if (stats.size > MAX_PLAN_BYTES) {
      return refused(
        `the plan file ${file} is ${stats.size} bytes; at most 1 MB (${MAX_PLAN_BYTES} bytes) is allowed: keep goals short, or decompose`,
      );
    }
    text = await handle.readFile('utf8');
  } finally {
    await handle.close();
  }

  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return refused(`the plan file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  return validatePlan(raw, { maxChildren: input.maxChildren });
}
