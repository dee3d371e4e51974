import { describe, expect, it } from 'vitest';
import { readJanitorSettings } from './workspace-janitor.js';

describe('readJanitorSettings', () => {
  it('keeps workspaces a week by default and sweeps hourly', () => {
    expect(readJanitorSettings({})).toEqual({
      retentionMs: 168 * 3_600_000,
      intervalMs: 3_600_000,
    });
  });

  it('reads hours (0 removes at the next sweep) and "off"', () => {
    expect(readJanitorSettings({ WORKSPACE_RETENTION_HOURS: '0' }).retentionMs).toBe(0);
    expect(readJanitorSettings({ WORKSPACE_RETENTION_HOURS: '1.5' }).retentionMs).toBe(5_400_000);
    expect(readJanitorSettings({ WORKSPACE_RETENTION_HOURS: 'off' }).retentionMs).toBeNull();
  });

  it('refuses what it cannot read, naming the variable', () => {
    expect(() => readJanitorSettings({ WORKSPACE_RETENTION_HOURS: 'a week' })).toThrow(
      /WORKSPACE_RETENTION_HOURS/,
    );
    expect(() => readJanitorSettings({ WORKSPACE_RETENTION_HOURS: '-1' })).toThrow(/0 or more/);
    expect(() => readJanitorSettings({ JANITOR_INTERVAL_MS: '5' })).toThrow(/JANITOR_INTERVAL_MS/);
  });
});
