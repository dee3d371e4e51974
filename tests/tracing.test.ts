/**
 * One trace per session, across processes: a gateway and a worker run as they do in Kubernetes
 * (their own processes, configured by the standard OTEL_* variables only) and export to a real
 * OTLP/HTTP receiver. The trace that starts at `POST /api/sessions` runs through the Temporal
 * client, the workflow (traced inside the sandbox), its activities, the agent run, and into the
 * agent process, which gets the agent span's context as TRACEPARENT.
 */
import { join } from 'node:path';
import getPort from 'get-port';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentConfig } from '@orchestrator/activities/agents/types';
import { startNodeService, type NodeService } from '../scripts/node-service.js';
import {
  startOtlpReceiver,
  type OtlpReceiver,
  type ReceivedSpan,
} from './support/otlp-receiver.js';
import { eventually, ROOT, startStack, type Stack } from './support/stack.js';

/** Prints the trace context it was given, so the test can read it from the session's log. */
const tracedAgent: AgentConfig = {
  name: 'traced',
  kind: 'command',
  description: 'prints TRACEPARENT',
  command: ['sh', '-c', 'echo "traceparent=${TRACEPARENT:-none}"'],
};

const SPAN_KIND_SERVER = 2;

let receiver: OtlpReceiver;
let stack: Stack;
let worker: NodeService;
let gateway: NodeService;
let gatewayUrl: string;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  // No in-process worker: the traced worker process must be the only one polling.
  stack = await startStack({ agents: [tracedAgent], worker: 'none' });
  const otel = {
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    // Export within a fraction of a second instead of the default 5 s.
    OTEL_BSP_SCHEDULE_DELAY: '200',
  };
  const gatewayPort = await getPort();
  [worker, gateway] = await Promise.all([
    startNodeService({
      name: 'worker',
      entry: join(ROOT, 'worker/src/main.ts'),
      cwd: ROOT,
      env: { ...stack.env, ...otel, LOG_LEVEL: 'info', LOG_FORMAT: 'json' },
      readyLine: /worker polling/,
      // It bundles the workflow code (with the tracing interceptors) first.
      readyTimeoutMs: 240_000,
    }),
    startNodeService({
      name: 'gateway',
      entry: join(ROOT, 'gateway/src/main.ts'),
      cwd: ROOT,
      env: { ...stack.env, ...otel, PORT: String(gatewayPort), LOG_LEVEL: 'info' },
      readyLine: /gateway listening/,
    }),
  ]);
  gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
});

afterAll(async () => {
  await Promise.all([worker?.stop(), gateway?.stop()]);
  await stack?.stop();
  await receiver?.close();
});

async function startSession(): Promise<string> {
  const response = await fetch(`${gatewayUrl}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      title: 'traced',
      goal: 'print the trace context',
      repository: stack.sampleRepository,
      agent: tracedAgent.name,
    }),
  });
  expect(response.status, await response.clone().text()).toBe(201);
  const { id } = (await response.json()) as { id: string };
  await eventually(
    async () => {
      const detail = (await (await fetch(`${gatewayUrl}/api/sessions/${id}`)).json()) as {
        status: string;
      };
      if (detail.status === 'failed') throw new Error(`session failed: ${JSON.stringify(detail)}`);
      return detail.status === 'completed' ? true : undefined;
    },
    60_000,
    'the session to complete',
  );
  return id;
}

/** The one span named `name` in the trace (fails listing what the trace has otherwise). */
function only(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const found = spans.filter((span) => span.name === name);
  if (found.length !== 1) {
    throw new Error(
      `expected one "${name}" span, found ${found.length}; the trace has: ` +
        spans.map((span) => `${span.service}/${span.name}`).join(', '),
    );
  }
  return found[0] as ReceivedSpan;
}

describe('tracing', () => {
  it('follows a session from the HTTP request through the workflow and activities into the agent process', async () => {
    const sessionId = await startSession();

    // The request that started the session is the root of the trace.
    let lastSeen: ReceivedSpan[] = [];
    const trace = await eventually(
      async () => {
        const spans = receiver.spans();
        lastSeen = spans;
        const request = spans.find(
          (span) => span.name === 'POST /api/sessions' && span.service === 'orchestrator-gateway',
        );
        if (!request) return undefined;
        const inTrace = spans.filter((span) => span.traceId === request.traceId);
        // The workflow's span is exported when the workflow ends: wait for it and the agent's.
        const names = new Set(inTrace.map((span) => span.name));
        return names.has('RunWorkflow:session') && names.has('invoke_agent traced')
          ? inTrace
          : undefined;
      },
      30_000,
      'the session trace to reach the receiver',
    ).catch((error: unknown) => {
      // What did arrive says which hop lost the context.
      const seen = lastSeen.map(
        (span) =>
          `${span.service} ${span.name} ${span.traceId}/${span.spanId} <- ${span.parentSpanId}`,
      );
      throw new Error(`${String(error)}; the receiver has:\n${seen.join('\n')}`);
    });

    const request = only(trace, 'POST /api/sessions');
    expect(request).toMatchObject({ kind: SPAN_KIND_SERVER, parentSpanId: null });
    expect(request.attributes).toMatchObject({
      'http.route': '/api/sessions',
      'http.response.status_code': 201,
    });
    const startWorkflow = only(trace, 'StartWorkflow:session');
    expect(startWorkflow).toMatchObject({
      service: 'orchestrator-gateway',
      parentSpanId: request.spanId,
    });
    const runWorkflow = only(trace, 'RunWorkflow:session');
    expect(runWorkflow).toMatchObject({
      service: 'orchestrator-worker',
      parentSpanId: startWorkflow.spanId,
    });
    expect(runWorkflow.attributes).toMatchObject({
      temporalWorkflowId: `session-${sessionId}`,
      'orchestrator.session.id': sessionId,
    });
    for (const activity of ['prepareWorkspace', 'runAgentStep']) {
      const scheduled = only(trace, `StartActivity:${activity}`);
      expect(scheduled).toMatchObject({
        service: 'orchestrator-worker',
        parentSpanId: runWorkflow.spanId,
      });
      const ran = only(trace, `RunActivity:${activity}`);
      expect(ran).toMatchObject({ service: 'orchestrator-worker', parentSpanId: scheduled.spanId });
      expect(ran.attributes).toMatchObject({ temporalWorkflowId: `session-${sessionId}` });
    }
    const agent = only(trace, 'invoke_agent traced');
    expect(agent).toMatchObject({
      service: 'orchestrator-worker',
      parentSpanId: only(trace, 'RunActivity:runAgentStep').spanId,
    });
    expect(agent.attributes).toMatchObject({
      'gen_ai.agent.name': 'traced',
      'orchestrator.session.id': sessionId,
      'process.exit.code': 0,
    });

    // The agent process was handed the agent span's context: its own spans would join here.
    const logs = (await (await fetch(`${gatewayUrl}/api/sessions/${sessionId}/logs`)).json()) as {
      items: Array<{ line: string }>;
    };
    const printed = logs.items
      .map((item) => item.line)
      .find((line) => line.startsWith('traceparent='));
    expect(printed).toBe(`traceparent=00-${request.traceId}-${agent.spanId}-01`);
  });
});
