/**
 * The bench's output: a table on stdout (figure, orchestrator, anchor, ratio, target, result,
 * then the notes of each row) and a JSON file per run under bench/results/, plus latest.json.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import type { Figure } from './figure.js';
import type { Machine } from './machine.js';

export interface BenchResult {
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  machine: Machine;
  options: Record<string, unknown>;
  figures: Figure[];
  /** Figure groups that failed to run, with the error. */
  failures: Array<{ group: string; error: string }>;
}

export function formatValue(value: number, unit: Figure['unit']): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const number = value.toLocaleString('en-US', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
  return unit === 'count' || unit === 'errors' ? String(Math.round(value)) : `${number} ${unit}`;
}

export function renderTable(result: BenchResult): string {
  const rows = result.figures.map((f) => [
    f.title,
    formatValue(f.value, f.unit),
    f.anchor ? formatValue(f.anchor.value, f.unit) : '—',
    f.ratio === null ? '—' : `${f.ratio.toFixed(2)}×`,
    f.target?.text ?? '—',
    f.target ? (f.target.pass ? 'pass' : 'MISS') : 'info',
  ]);
  const header = ['figure', 'orchestrator', 'anchor', 'ratio', 'target', 'result'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const out = [
    `Benchmarks, ${result.startedAt} (${result.durationSeconds.toFixed(0)} s) on ${result.machine.cores} cores, ${result.machine.memoryGiB} GiB, ${result.machine.cpuModel}; load average at start ${result.machine.loadAverageAtStart}`,
    '',
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
    '',
  ];
  for (const figure of result.figures) {
    if (figure.notes.length === 0 && !figure.anchor) continue;
    out.push(`${figure.title}${figure.anchor ? ` — anchor: ${figure.anchor.label}` : ''}`);
    for (const note of figure.notes) out.push(`  - ${note}`);
  }
  for (const failure of result.failures) out.push(`FAILED ${failure.group}: ${failure.error}`);
  return out.join('\n');
}

/** Writes <resultsDir>/<timestamp>.json and latest.json; returns the run's file. */
export async function writeResult(resultsDir: string, result: BenchResult): Promise<string> {
  await mkdir(resultsDir, { recursive: true });
  const file = join(resultsDir, `${result.startedAt.replace(/[:.]/g, '-')}.json`);
  // Formatted as the repository's prettier check expects (its config, wherever the file goes),
  // so a committed latest.json passes lint.
  const committed = fileURLToPath(new URL('../results/latest.json', import.meta.url));
  const config = (await resolveConfig(committed)) ?? {};
  await writeFile(file, await format(JSON.stringify(result), { ...config, filepath: committed }));
  await copyFile(file, join(resultsDir, 'latest.json'));
  return file;
}
