/**
 * Metrics a dashboard can trust: after real sessions, the gateway's /metrics (with the
 * in-process worker's step metrics) and the Temporal SDK's endpoint carry the series the Grafana
 * dashboard in deploy/grafana queries — every metric name in every panel expression.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testAgents } from './support/agents.js';
import { eventually, ROOT, startStack, type Stack } from './support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ agents: testAgents });
});
afterAll(async () => {
  await stack?.stop();
});

/** `name{labels} value` lines of a Prometheus text exposition, as a map of series to values. */
function parseExposition(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^(\S+?)(\{.*\})?\s+(\S+)$/.exec(line);
    if (match) series.set(`${match[1]}${match[2] ?? ''}`, Number(match[3]));
  }
  return series;
}

/** Metric names declared by `# TYPE` lines: a labelled counter with no sample yet still counts. */
function declaredNames(text: string): string[] {
  return [...text.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1] ?? '');
}

function metricNames(series: Map<string, number>, declared: string[] = []): Set<string> {
  const names = new Set<string>(declared);
  for (const key of series.keys()) {
    const name = key.replace(/\{.*$/, '');
    names.add(name);
    // Histograms and summaries are queried by their base name's series.
    names.add(name.replace(/_(bucket|sum|count)$/, ''));
  }
  return names;
}

function value(
  series: Map<string, number>,
  name: string,
  labels: Record<string, string>,
): number | undefined {
  for (const [key, v] of series) {
    if (!key.startsWith(`${name}{`) && key !== name) continue;
    if (Object.entries(labels).every(([k, val]) => key.includes(`${k}="${val}"`))) return v;
  }
  return undefined;
}

async function runSession(agent: string, status: string): Promise<void> {
  const response = await stack.api('/api/sessions', {
    method: 'POST',
    json: { title: `metrics ${agent}`, goal: 'measure', repository: stack.sampleRepository, agent },
  });
  expect(response.status).toBe(201);
  const { id } = (await response.json()) as { id: string };
  await eventually(async () => {
    const detail = (await (await stack.api(`/api/sessions/${id}`)).json()) as {
      status: string;
      closedAt: string | null;
    };
    return detail.status === status && detail.closedAt ? true : undefined;
  });
  // The sessions gauge counts through visibility, which follows the close a moment later.
  await eventually(async () => {
    const listed = (await (await stack.api(`/api/sessions?status=${status}&limit=100`)).json()) as {
      items: Array<{ id: string }>;
    };
    return listed.items.some((item) => item.id === id) ? true : undefined;
  });
}

describe('metrics', () => {
  let gateway: Map<string, number>;
  let sdk: Map<string, number>;
  let declared: string[];

  beforeAll(async () => {
    await runSession('echo', 'completed');
    await runSession('fail', 'failed');
    const gatewayText = await (await stack.api('/metrics')).text();
    gateway = parseExposition(gatewayText);
    const sdkUrl = process.env.TEST_TEMPORAL_SDK_METRICS_URL;
    if (!sdkUrl)
      throw new Error('tests/support/temporal-runtime.ts did not start the SDK metrics endpoint');
    const sdkText = await (await fetch(sdkUrl)).text();
    sdk = parseExposition(sdkText);
    declared = [...declaredNames(gatewayText), ...declaredNames(sdkText)];
  });

  it('counts agent steps by agent and outcome, and session transitions', () => {
    expect(
      value(gateway, 'orchestrator_agent_steps_total', { agent: 'echo', outcome: 'completed' }),
    ).toBe(1);
    expect(
      value(gateway, 'orchestrator_agent_steps_total', { agent: 'fail', outcome: 'failed' }),
    ).toBe(1);
    expect(
      value(gateway, 'orchestrator_agent_step_duration_seconds_count', { agent: 'echo' }),
    ).toBe(1);
    expect(
      value(gateway, 'orchestrator_agent_log_lines_total', { agent: 'echo' }),
    ).toBeGreaterThanOrEqual(22);
    expect(value(gateway, 'orchestrator_session_transitions_total', { status: 'completed' })).toBe(
      1,
    );
    expect(value(gateway, 'orchestrator_session_transitions_total', { status: 'failed' })).toBe(1);
    expect(value(gateway, 'orchestrator_agent_steps_running', { agent: 'echo' })).toBe(0);
  });

  it('reads sessions by status and agent queues from Temporal', () => {
    expect(value(gateway, 'orchestrator_sessions', { status: 'completed' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(value(gateway, 'orchestrator_sessions', { status: 'failed' })).toBeGreaterThanOrEqual(1);
    expect(value(gateway, 'orchestrator_sessions', { status: 'running' })).toBe(0);
    expect(value(gateway, 'orchestrator_agent_pollers', { agent: 'echo' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(value(gateway, 'orchestrator_agent_queue_backlog', { agent: 'echo' })).toBe(0);
  });

  it('reads each agent’s measured success, tier, availability and slots from the registry', () => {
    // echo completed its one step, fail failed its one: too few to rate, the ratio still shows.
    expect(value(gateway, 'orchestrator_agent_success_ratio', { agent: 'echo' })).toBe(1);
    expect(value(gateway, 'orchestrator_agent_success_ratio', { agent: 'fail' })).toBe(0);
    expect(value(gateway, 'orchestrator_agent_tier', { agent: 'echo', tier: 'unrated' })).toBe(1);
    expect(value(gateway, 'orchestrator_agent_tier', { agent: 'echo', tier: 'elite' })).toBe(0);
    expect(value(gateway, 'orchestrator_agent_available', { agent: 'echo' })).toBe(1);
    expect(value(gateway, 'orchestrator_agent_slots', { agent: 'echo' })).toBe(2);
  });

  it('measures HTTP by route pattern, never by session id', () => {
    const routes = [...gateway.keys()]
      .filter((key) => key.startsWith('orchestrator_http_requests_total{'))
      .map((key) => /route="([^"]*)"/.exec(key)?.[1]);
    expect(routes).toContain('/api/sessions/:id');
    expect(routes.some((route) => /[a-z0-9]{10}$/.test(route ?? '') && !route?.includes(':'))).toBe(
      false,
    );
  });

  it('exposes the Temporal SDK metrics', () => {
    const names = [...metricNames(sdk)];
    expect(names.filter((name) => name.startsWith('temporal_')).length).toBeGreaterThan(10);
  });

  it('backs every dashboard query with a metric the code emits', () => {
    const dashboard = JSON.parse(
      readFileSync(join(ROOT, 'deploy/grafana/industrial-orchestrator.json'), 'utf8'),
    ) as { panels: Array<{ title: string; type: string; targets?: Array<{ expr: string }> }> };
    const panels = dashboard.panels.filter((panel) => panel.type !== 'row');
    expect(panels.length).toBeGreaterThanOrEqual(20);
    const emitted = new Set([...metricNames(gateway, declared), ...metricNames(sdk)]);
    const missing: string[] = [];
    for (const panel of panels) {
      expect(panel.targets?.length, `panel "${panel.title}" has no query`).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        const names =
          target.expr.match(/\b(orchestrator|temporal|process|nodejs)_[a-z0-9_]+/g) ?? [];
        expect(names.length, `"${panel.title}": ${target.expr}`).toBeGreaterThan(0);
        for (const name of names) if (!emitted.has(name)) missing.push(`${panel.title}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
