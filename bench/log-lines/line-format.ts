/**
 * The lines of the log figures, shared by the agent that prints them (emit-lines.ts), the raw
 * Redis producer of the anchor (redis-producer.ts) and the bench that receives them: a sequence
 * number, the wall-clock time the line was produced (ms, 3 decimals), and padding to a width.
 */
export interface EmitPlan {
  count: number;
  /** Lines per second; 0 = as fast as possible. */
  rate: number;
  /** Characters per line, padding included. */
  width: number;
  /** Pause before the first line, so the reader is subscribed and live when lines start. */
  delayMs: number;
}

export function parsePlan(json: string | undefined): EmitPlan {
  const plan = JSON.parse(json ?? 'null') as Partial<EmitPlan> | null;
  const valid =
    plan !== null &&
    [plan.count, plan.rate, plan.width, plan.delayMs].every(
      (value) => typeof value === 'number' && Number.isInteger(value) && value >= 0,
    );
  if (!valid) {
    throw new Error(
      `expected a plan like {"count":1000,"rate":0,"width":100,"delayMs":500}, got ${json}`,
    );
  }
  return plan as EmitPlan;
}

export function formatLine(seq: number, producedAt: number, width: number): string {
  const head = `${seq} ${producedAt.toFixed(3)} `;
  return head + 'x'.repeat(Math.max(0, width - head.length));
}

export function parseLine(line: string): { seq: number; producedAt: number } | null {
  const [seq, producedAt] = line.split(' ', 2);
  const parsed = { seq: Number(seq), producedAt: Number(producedAt) };
  return Number.isInteger(parsed.seq) && Number.isFinite(parsed.producedAt) ? parsed : null;
}

/** Lines that should have been produced `elapsedMs` after the first one (all of them at rate 0). */
export function dueLines(plan: EmitPlan, elapsedMs: number): number {
  if (plan.rate === 0) return plan.count;
  return Math.min(plan.count, Math.floor((elapsedMs * plan.rate) / 1000) + 1);
}

/**
 * Produces the plan's lines on schedule through `send` (which may batch and should resolve when
 * the batch is handed over), at most `maxBatch` lines per call.
 */
export async function producePlan(
  plan: EmitPlan,
  maxBatch: number,
  send: (lines: string[]) => Promise<void> | void,
  now: () => number,
): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, plan.delayMs));
  const start = now();
  let sent = 0;
  while (sent < plan.count) {
    const due = Math.min(dueLines(plan, now() - start), sent + maxBatch);
    if (due <= sent) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      continue;
    }
    const lines: string[] = [];
    for (; sent < due; sent += 1) lines.push(formatLine(sent + 1, now(), plan.width));
    await send(lines);
  }
}
