import { describe, expect, it } from 'vitest';
import { commitMessage } from './run-agent-step.js';
import { oneLineSummary, stripAnsi } from './plain-text.js';

describe('plain text for summaries', () => {
  it('strips colours, cursor moves and terminal titles', () => {
    expect(
      stripAnsi('\u001b[1m\u001b[32mok\u001b[39m\u001b[22m \u001b[2K\u001b]0;title\u0007done'),
    ).toBe('ok done');
  });

  it('cuts long summaries with an ellipsis', () => {
    expect(oneLineSummary(`  ${'x'.repeat(300)}  `, 200)).toBe(`${'x'.repeat(199)}…`);
    expect(oneLineSummary('short', 200)).toBe('short');
  });
});

describe('commit messages', () => {
  it('use the first non-empty goal line, shortened for git log', () => {
    expect(commitMessage('demo', { step: 2, goal: '\n  Fix the bug\nmore' })).toBe(
      'demo: step 2 — Fix the bug',
    );
    const long = commitMessage('demo', { step: 1, goal: 'y'.repeat(200) });
    expect(long.length).toBe(72);
    expect(long.endsWith('…')).toBe(true);
  });
});
