import { Writable } from 'node:stream';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { createWorkerLogger } from './logging.js';
import { workflowLogIds } from './logging-context.js';
import { temporalLogger } from './logging-temporal.js';

/** A worker logger writing JSON lines into an array. */
function capturedLogger(level = 'debug') {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const logger = createWorkerLogger({ name: 'worker', env: { LOG_LEVEL: level }, destination });
  return { logger, lines };
}

const stepInfo = {
  workflowExecution: { workflowId: 'session-7f3k', runId: 'run-1' },
  workflowType: 'session',
  activityId: '5',
  activityType: 'runAgentStep',
  attempt: 2,
  taskQueue: 'agent-echo',
};

describe('worker log lines', () => {
  it('carry the session, workflow, run and activity of the activity that writes them', async () => {
    const { logger, lines } = capturedLogger();
    await new MockActivityEnvironment(stepInfo).run(async () => {
      logger.child({ agent: 'echo' }).info({ step: 1 }, 'agent started');
    });
    logger.info('between activities');
    expect(lines[0]).toMatchObject({
      msg: 'agent started',
      agent: 'echo',
      step: 1,
      sessionId: '7f3k',
      workflowId: 'session-7f3k',
      runId: 'run-1',
      workflowType: 'session',
      activityId: '5',
      activityType: 'runAgentStep',
      attempt: 2,
      taskQueue: 'agent-echo',
    });
    expect(lines[1]).toMatchObject({ msg: 'between activities' });
    expect(lines[1]).not.toHaveProperty('activityId');
    expect(lines[1]).not.toHaveProperty('sessionId');
  });

  it("give the SDK's own entries the same fields, without the task token", () => {
    const { logger, lines } = capturedLogger();
    const sdk = temporalLogger(logger);
    sdk.debug('Activity completed', {
      sdkComponent: 'worker',
      taskToken: 'c2VjcmV0',
      workflowId: 'session-7f3k.2.1',
      workflowRunId: 'run-9',
      activityId: '3',
      durationMs: 12,
    });
    sdk.warn('Activity failed', { workflowId: 'session-7f3k', error: new Error('exit 3') });
    sdk.info('Workflow completed', { workflowId: 'nightly-report', runId: 'run-2' });
    expect(lines[0]).toMatchObject({
      level: 20,
      msg: 'Activity completed',
      sessionId: '7f3k',
      taskPath: '2.1',
      workflowId: 'session-7f3k.2.1',
      runId: 'run-9',
      activityId: '3',
      durationMs: 12,
    });
    expect(lines[0]).not.toHaveProperty('taskToken');
    expect(lines[0]).not.toHaveProperty('workflowRunId');
    expect(lines[1]).toMatchObject({ level: 40, err: { message: 'exit 3', type: 'Error' } });
    expect(lines[2]).toMatchObject({ workflowId: 'nightly-report', runId: 'run-2' });
    expect(lines[2]).not.toHaveProperty('sessionId');
  });

  it("follow the logger's level and skip what the runtime says to skip", () => {
    const { logger, lines } = capturedLogger('info');
    const sdk = temporalLogger(logger, { skip: (message) => message.startsWith('No workflows') });
    sdk.debug('Activity started');
    sdk.warn('No workflows registered, not polling for workflow tasks');
    sdk.log('ERROR', 'Workflow task failed', { workflowId: 'session-a' });
    expect(lines.map((line) => line.msg)).toEqual(['Workflow task failed']);
  });
});

describe('workflowLogIds', () => {
  it('reads the session and the task path out of a workflow id', () => {
    expect(workflowLogIds('session-7f3k')).toEqual({
      workflowId: 'session-7f3k',
      sessionId: '7f3k',
    });
    expect(workflowLogIds('session-7f3k.2.1')).toEqual({
      workflowId: 'session-7f3k.2.1',
      sessionId: '7f3k',
      taskPath: '2.1',
    });
    expect(workflowLogIds('sessions-x')).toEqual({ workflowId: 'sessions-x' });
  });
});
