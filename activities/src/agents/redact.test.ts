import { describe, expect, it } from 'vitest';
import { createRedactor, REDACTED } from './redact.js';

describe('redactor', () => {
  it('replaces every occurrence of each secret, longest first', () => {
    const redact = createRedactor(['sk-abc12345', 'sk-abc12345-extended', 'short']);
    expect(redact('a sk-abc12345-extended b sk-abc12345 c sk-abc12345')).toBe(
      `a ${REDACTED} b ${REDACTED} c ${REDACTED}`,
    );
    // Values too short to be keys are left alone rather than mangling text.
    expect(redact('a short text')).toBe('a short text');
  });

  it('is the identity without secrets', () => {
    expect(createRedactor([])('anything')).toBe('anything');
  });
});
