import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_CACHED_WORKFLOWS, readWorkflowCacheSettings } from './workflow-cache.js';

describe('readWorkflowCacheSettings', () => {
  it('caps the sticky cache by default instead of sizing it from the heap', () => {
    expect(readWorkflowCacheSettings({})).toEqual({
      maxCachedWorkflows: DEFAULT_MAX_CACHED_WORKFLOWS,
      maxConcurrentWorkflowTaskExecutions: 40,
    });
  });

  it('takes WORKER_MAX_CACHED_WORKFLOWS, keeping task slots within a small cache', () => {
    expect(readWorkflowCacheSettings({ WORKER_MAX_CACHED_WORKFLOWS: '2000' })).toEqual({
      maxCachedWorkflows: 2000,
      maxConcurrentWorkflowTaskExecutions: 40,
    });
    expect(readWorkflowCacheSettings({ WORKER_MAX_CACHED_WORKFLOWS: '10' })).toEqual({
      maxCachedWorkflows: 10,
      maxConcurrentWorkflowTaskExecutions: 10,
    });
    expect(readWorkflowCacheSettings({ WORKER_MAX_CACHED_WORKFLOWS: '0' })).toEqual({
      maxCachedWorkflows: 0,
      maxConcurrentWorkflowTaskExecutions: 40,
    });
  });

  it.each(['1', '-5', '2.5', 'many'])('refuses %s, naming the variable', (value) => {
    expect(() => readWorkflowCacheSettings({ WORKER_MAX_CACHED_WORKFLOWS: value })).toThrow(
      /WORKER_MAX_CACHED_WORKFLOWS/,
    );
  });
});
