import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { describeLogBus } from './log-bus-contract.js';
import { createMemoryLogBus } from './memory-bus.js';

describeLogBus('in-process', async () => {
  const bus = createMemoryLogBus({ logger: pino({ level: 'silent' }) });
  return { bus, openSubscriptions: async () => null, close: () => bus.close() };
});

describe('in-process log bus bounds', () => {
  it('keeps only the newest entries of a session', async () => {
    const bus = createMemoryLogBus({ maxEntriesPerSession: 10 });
    const ids = await bus.append(
      's',
      Array.from(
        { length: 25 },
        (_, i) => ({ kind: 'log', stream: 'stdout', line: `${i}`, ts: 0 }) as const,
      ),
    );
    const kept = await bus.read('s');
    expect(kept.map((e) => e.id)).toEqual(ids.slice(15));
    await bus.close();
  });

  it('refuses appends once closed', async () => {
    const bus = createMemoryLogBus();
    await bus.close();
    await expect(bus.append('s', [])).rejects.toThrow(/closed/);
  });
});
