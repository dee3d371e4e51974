/**
 * The `bench-lines` agent: prints the lines its goal plans (JSON, see line-format.ts) on stdout,
 * respecting pipe backpressure, then exits. Run by the worker like any `command` agent.
 */
import { once } from 'node:events';
import { nowMs } from '../core/stats.js';
import { parsePlan, producePlan } from './line-format.js';

const plan = parsePlan(process.env.ORCHESTRATOR_GOAL);
await producePlan(
  plan,
  1000,
  async (lines) => {
    if (!process.stdout.write(`${lines.join('\n')}\n`)) await once(process.stdout, 'drain');
  },
  nowMs,
);
