import { describe, expect, it } from 'vitest';
import { addAgentUsage, parseUsageLine } from './command-usage.js';

describe('usage lines of command agents', () => {
  it('reads a usage line, filling what it leaves out', () => {
    expect(parseUsageLine('ORCHESTRATOR_USAGE {"inputTokens":120,"outputTokens":30}')).toEqual({
      inputTokens: 120,
      outputTokens: 30,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: null,
    });
    expect(
      parseUsageLine(
        'ORCHESTRATOR_USAGE {"inputTokens":1,"outputTokens":2,"cacheReadTokens":3,"costUsd":0.5}',
      ),
    ).toMatchObject({ cacheReadTokens: 3, costUsd: 0.5 });
  });

  it('ignores other lines and malformed or negative figures', () => {
    for (const line of [
      'hello',
      'ORCHESTRATOR_USAGE',
      'ORCHESTRATOR_USAGE {oops}',
      'ORCHESTRATOR_USAGE [1,2]',
      'ORCHESTRATOR_USAGE {"inputTokens":-1,"outputTokens":2}',
      'ORCHESTRATOR_USAGE {"inputTokens":1.5,"outputTokens":2}',
      'ORCHESTRATOR_USAGE {"outputTokens":2}',
      'say ORCHESTRATOR_USAGE {"inputTokens":1,"outputTokens":2}',
    ]) {
      expect(parseUsageLine(line), line).toBeNull();
    }
  });

  it('adds several reports up', () => {
    const a = parseUsageLine('ORCHESTRATOR_USAGE {"inputTokens":10,"outputTokens":5}');
    const b = parseUsageLine('ORCHESTRATOR_USAGE {"inputTokens":1,"outputTokens":1,"costUsd":0.2}');
    if (!a || !b) throw new Error('lines not read');
    expect(addAgentUsage(addAgentUsage(null, a), b)).toEqual({
      inputTokens: 11,
      outputTokens: 6,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: 0.2,
    });
  });
});
