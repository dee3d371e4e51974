import { describe, expect, it } from 'vitest';
import { readLogFormat } from './process-logger.js';

describe('LOG_FORMAT', () => {
  it('is pretty on a terminal and JSON elsewhere unless set, and refuses anything else', () => {
    expect(readLogFormat({}, true)).toBe('pretty');
    expect(readLogFormat({}, false)).toBe('json');
    expect(readLogFormat({ LOG_FORMAT: 'JSON' }, true)).toBe('json');
    expect(readLogFormat({ LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
    expect(() => readLogFormat({ LOG_FORMAT: 'xml' }, false)).toThrow(/"json" or "pretty"/);
  });
});
