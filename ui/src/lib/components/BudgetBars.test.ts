import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import { budgetBars } from '$lib/models/budget';
import BudgetBars from './BudgetBars.svelte';

describe('BudgetBars', () => {
  it('draws a meter per limited resource, filled to its share, and a dashed track otherwise', () => {
    const bars = budgetBars({ tokens: 900, costUsd: 2 }, { maxTokens: 1000, maxCostUsd: 2 }, 0);
    const { body } = render(BudgetBars, { props: { bars } });
    const items = body.split('data-testid="budget-bar"').slice(1);
    expect(items).toHaveLength(3);
    const [tokens, cost, wall] = items;
    expect(tokens).toContain('data-key="tokens"');
    expect(tokens).toContain('data-over="false"');
    expect(tokens).toContain('role="meter"');
    expect(tokens).toContain('aria-valuetext="900 of 1.0k"');
    expect(tokens).toContain('width: 90%');
    expect(tokens).toContain('fill-high');
    expect(cost).toContain('data-over="true"');
    expect(cost).toContain('fill-full');
    expect(cost).toContain('100%');
    expect(wall).toContain('no limit');
    expect(wall).not.toContain('role="meter"');
    expect(wall).toContain('unlimited');
  });
});
