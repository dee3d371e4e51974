/**
 * `npm run bench -- --smoke`: the benchmark suite at a tiny scale (a few sessions per figure) on
 * its own Temporal dev server, database and Redis prefix, so its scripts cannot rot. It checks
 * that every figure of issue #8 comes out well formed (a value, its anchor and ratio, a target
 * verdict, a table row, the JSON file), never how fast anything was.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchResult } from '../bench/core/report.js';
import { ROOT } from './support/stack.js';

/** Every row the table asks for, with whether it is measured against an anchor. */
const FIGURES: Record<string, { anchored: boolean; targeted: boolean }> = {
  'session-latency-p50': { anchored: true, targeted: true },
  'session-latency-p99': { anchored: true, targeted: false },
  'session-throughput': { anchored: true, targeted: true },
  'log-throughput': { anchored: true, targeted: true },
  'log-latency-p99': { anchored: true, targeted: true },
  'list-sessions-p50': { anchored: true, targeted: true },
  'worker-memory-waiting': { anchored: false, targeted: true },
  'worker-crash-recovery': { anchored: true, targeted: true },
  'ws-soak-errors': { anchored: false, targeted: true },
  'ws-soak-gateway-memory': { anchored: false, targeted: true },
};

const resultsDir = await mkdtemp(join(tmpdir(), 'io-bench-smoke-'));
afterAll(async () => {
  await rm(resultsDir, { recursive: true, force: true });
});

describe('npm run bench -- --smoke', () => {
  it(
    'measures every figure next to its anchor and writes the table and the JSON',
    async () => {
      const run = await execa(
        process.execPath,
        ['--import', 'tsx', 'bench/run.ts', '--smoke', '--results-dir', resultsDir],
        { cwd: ROOT, reject: false, all: true, timeout: 14 * 60_000, killSignal: 'SIGTERM' },
      );
      expect(run.exitCode, run.all).toBe(0);
      // Progress while it runs, on stderr.
      expect(run.stderr).toMatch(/\[bench \d\d:\d\d\] latency: /);

      const files = await readdir(resultsDir);
      expect(files).toContain('latest.json');
      expect(files.filter((f) => /^\d{4}-.*\.json$/.test(f))).toHaveLength(1);
      const result = JSON.parse(
        await readFile(join(resultsDir, 'latest.json'), 'utf8'),
      ) as BenchResult;

      expect(result.failures).toEqual([]);
      expect(result.machine.cores).toBeGreaterThan(0);
      expect(result.options).toMatchObject({ smoke: true });
      expect(result.figures.map((f) => f.id).sort()).toEqual(Object.keys(FIGURES).sort());
      for (const figure of result.figures) {
        const expected = FIGURES[figure.id]!;
        expect(Number.isFinite(figure.value), figure.id).toBe(true);
        expect(figure.title.length, figure.id).toBeGreaterThan(0);
        if (expected.anchored) {
          expect(figure.anchor?.value, figure.id).toBeGreaterThan(0);
          expect(figure.ratio, figure.id).toBeCloseTo(figure.value / figure.anchor!.value, 6);
        } else {
          expect(figure.anchor, figure.id).toBeNull();
        }
        if (expected.targeted) expect(typeof figure.target?.pass, figure.id).toBe('boolean');
        else expect(figure.target, figure.id).toBeNull();
        // A row in the printed table for each figure.
        expect(run.stdout).toContain(figure.title);
      }

      const byId = Object.fromEntries(result.figures.map((f) => [f.id, f]));
      // Quantities that are counts and sizes, not timings: sessions actually ran and were held.
      expect(byId['worker-memory-waiting']!.value).toBeGreaterThan(0);
      expect(byId['worker-memory-waiting']!.details).toMatchObject({ state: 'awaiting-approval' });
      // Every watching client heard its session's ticks in order, with no socket error.
      expect(byId['ws-soak-errors']!.value, JSON.stringify(byId['ws-soak-errors'])).toBe(0);
    },
    15 * 60_000,
  );
});
