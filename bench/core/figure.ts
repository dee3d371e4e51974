/**
 * One row of the bench table: what the orchestrator measured, the anchor measured in the same
 * run, their ratio, the target of issue #8 and whether it was met. A missed target carries notes
 * on why (from what the run itself observed) and what would close it.
 */
export type Unit = 'ms' | 's' | 'sessions/s' | 'lines/s' | 'MB' | 'errors' | 'count';

export interface Anchor {
  /** What the anchor is, e.g. "minimal workflow + 1 activity, Temporal client". */
  label: string;
  value: number;
}

export interface Target {
  /** As printed, e.g. "≤ 1.3× anchor". */
  text: string;
  pass: boolean;
}

export interface Figure {
  id: string;
  title: string;
  unit: Unit;
  value: number;
  anchor: Anchor | null;
  /** value / anchor.value */
  ratio: number | null;
  /** null: reported for context, no target of its own. */
  target: Target | null;
  /** How it was measured; for a miss, why and what would close it. */
  notes: string[];
  /** Summaries behind the value (percentiles, counts, breakdowns), written to the JSON. */
  details: Record<string, unknown>;
}

/** A target as a rule over (value, anchor). */
export interface TargetRule {
  text: string;
  check(value: number, anchor: number | null): boolean;
}

export const targets = {
  ratioAtMost: (max: number): TargetRule => ({
    text: `≤ ${max}× anchor`,
    check: (value, anchor) => anchor !== null && value <= max * anchor,
  }),
  ratioAtLeast: (min: number): TargetRule => ({
    text: `≥ ${min}× anchor`,
    check: (value, anchor) => anchor !== null && value >= min * anchor,
  }),
  atMost: (limit: number, unit: Unit): TargetRule => ({
    text: `≤ ${limit} ${unit}`,
    check: (value) => value <= limit,
  }),
  anchorPlus: (delta: number, unit: Unit): TargetRule => ({
    text: `≤ anchor + ${delta} ${unit}`,
    check: (value, anchor) => anchor !== null && value <= anchor + delta,
  }),
  custom: (text: string, pass: boolean): TargetRule => ({ text, check: () => pass }),
};

export function makeFigure(input: {
  id: string;
  title: string;
  unit: Unit;
  value: number;
  anchor?: Anchor | null;
  target?: TargetRule | null;
  notes?: string[];
  details?: Record<string, unknown>;
}): Figure {
  if (!Number.isFinite(input.value)) {
    throw new Error(`figure ${input.id}: measured value is ${input.value}, expected a number`);
  }
  const anchor = input.anchor ?? null;
  return {
    id: input.id,
    title: input.title,
    unit: input.unit,
    value: input.value,
    anchor,
    ratio: anchor && anchor.value !== 0 ? input.value / anchor.value : null,
    target: input.target
      ? { text: input.target.text, pass: input.target.check(input.value, anchor?.value ?? null) }
      : null,
    notes: input.notes ?? [],
    details: input.details ?? {},
  };
}
