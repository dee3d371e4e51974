import { describe, expect, it } from 'vitest';
import { MAX_TITLE_WORDS, filterKey, quote, titleWords, visibilityQuery } from './list-query.js';

describe('session list query', () => {
  it('lists every session when no filter is given', () => {
    expect(visibilityQuery({})).toBe(`WorkflowType = 'session'`);
    expect(filterKey({})).toBe('');
  });

  it('combines every filter with AND, times as UTC instants', () => {
    const query = visibilityQuery({
      status: 'failed',
      agent: 'echo',
      repository: '/srv/repos/app',
      q: ' 7f3k ',
      closedAfter: '2025-01-31T02:00:00+02:00',
      startedAfter: '2025-01-30T00:00:00Z',
    });
    expect(query).toBe(
      `WorkflowType = 'session'` +
        ` AND (ExecutionStatus = 'Failed' OR ExecutionStatus = 'TimedOut'` +
        ` OR (ExecutionStatus = 'Running' AND SessionStatus = 'failed'))` +
        ` AND AgentName = 'echo'` +
        ` AND Repository = '/srv/repos/app'` +
        ` AND (WorkflowId STARTS_WITH 'session-7f3k' OR AgentName STARTS_WITH '7f3k'` +
        ` OR Repository STARTS_WITH '7f3k' OR (SessionTitle = '7f3k'))` +
        ` AND StartTime >= '2025-01-30T00:00:00.000Z'` +
        ` AND CloseTime >= '2025-01-31T00:00:00.000Z'`,
    );
  });

  it('quotes values so a filter cannot leave its string literal', () => {
    expect(quote(`it's`)).toBe(`'it\\'s'`);
    expect(quote(`a\\' OR 'x'='x`)).toBe(`'a\\\\\\' OR \\'x\\'=\\'x'`);
    expect(visibilityQuery({ repository: `x' OR WorkflowType = 'task` })).toBe(
      `WorkflowType = 'session' AND Repository = 'x\\' OR WorkflowType = \\'task'`,
    );
  });

  it('looks for every word of a search in the title, and only words', () => {
    expect(visibilityQuery({ q: 'Fix login-bug' })).toBe(
      `WorkflowType = 'session'` +
        ` AND (WorkflowId STARTS_WITH 'session-Fix login-bug' OR AgentName STARTS_WITH 'Fix login-bug'` +
        ` OR Repository STARTS_WITH 'Fix login-bug'` +
        ` OR (SessionTitle = 'fix' AND SessionTitle = 'login' AND SessionTitle = 'bug'))`,
    );
    // Quotes, wildcards and full-text operators never reach the title clause; words repeat once.
    expect(titleWords(`"it's" * OR login* (x) -login`)).toEqual(['it', 's', 'or', 'login', 'x']);
    expect(titleWords('Café RÉSUMÉ 42')).toEqual(['café', 'résumé', '42']);
    expect(titleWords('a b c d e f g h i j')).toHaveLength(MAX_TITLE_WORDS);
    // Punctuation alone searches the prefixes only: visibility refuses an empty Text value.
    expect(visibilityQuery({ q: `"'` })).toBe(
      `WorkflowType = 'session' AND (WorkflowId STARTS_WITH 'session-"\\''` +
        ` OR AgentName STARTS_WITH '"\\'' OR Repository STARTS_WITH '"\\'')`,
    );
  });

  it('ignores a blank text search', () => {
    expect(visibilityQuery({ q: '   ' })).toBe(`WorkflowType = 'session'`);
  });

  it('names the filter a cursor belongs to, independent of field order', () => {
    expect(filterKey({ status: 'running' })).not.toBe(filterKey({ status: 'failed' }));
    expect(filterKey({ agent: 'a', status: 'running' })).toBe(
      filterKey({ status: 'running', agent: 'a' }),
    );
    expect(filterKey({ q: 'x' })).not.toBe(filterKey({ repository: 'x' }));
  });
});
