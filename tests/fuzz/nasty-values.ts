/**
 * Values that have broken parsers before: path tricks, shell metacharacters, odd unicode, ids
 * at the edge of their number range, prototype keys. Mixed with plain random strings and JSON so
 * the fuzzers probe both the known-sharp edges and the unknown ones.
 */
import fc from 'fast-check';

/** Strings a validator might take for harmless. Each is used as is and inside other text. */
export const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  '\t\n',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '\u202e',
  '\ufeff',
  'é',
  '👩‍💻',
  '\u00a0',
  '..',
  '../',
  '../../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '%2e%2e',
  '/etc/passwd',
  '/',
  '//',
  'C:\\Windows',
  '\\\\host\\share',
  'file:///etc/passwd',
  'ext::sh -c touch% /tmp/pwned',
  'ssh://-oProxyCommand=touch%20/tmp/pwned/x',
  '-oProxyCommand=x@host:repo',
  '--upload-pack=touch /tmp/pwned',
  '$(touch /tmp/pwned)',
  '`id`',
  '; rm -rf /',
  '| cat /etc/passwd',
  '&& echo pwned',
  '\n\r',
  "'",
  '"',
  '\\',
  '<script>alert(1)</script>',
  '{{7*7}}',
  '${7*7}',
  '%s%s%s%n',
  '%',
  '%zz',
  '%E0%A4%A',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'null',
  'undefined',
  'true',
  'NaN',
  'Infinity',
  '-1',
  '0',
  '1e309',
  '0x10',
  '1.5',
  '9007199254740993',
  '99999999999999999999',
  '18446744073709551616-0',
  '99999999999999999999-0',
  '1-9999999999',
  '0-0',
  '-0-0',
  'https://127.0.0.1:1/x.git',
  'git@127.0.0.1:x/y.git',
  'session-abc',
  'a'.repeat(64),
  'a'.repeat(65),
];

/** Random text: mostly short, sometimes full unicode, sometimes long. */
export const anyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ minLength: 200, maxLength: 5_000 }) },
);

/** A nasty string, alone or wrapped in ordinary text. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.string({ maxLength: 8 }),
        fc.constantFrom(...NASTY_STRINGS),
        fc.string({ maxLength: 8 }),
      )
      .map((parts) => parts.join('')),
  },
  { weight: 3, arbitrary: anyText },
);

/** Any JSON value, with nasty strings and keys among the leaves. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: nastyString },
  {
    weight: 1,
    arbitrary: fc.dictionary(nastyString, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      null,
      true,
      0,
      -1,
      1.5,
      1e308,
      -0,
      [],
      {},
      [null],
      JSON.parse('{"__proto__":{"polluted":true}}') as unknown,
      JSON.parse('{"constructor":{"prototype":{"polluted":true}}}') as unknown,
    ),
  },
);

/** Whether `text` is not JSON at all (what a "malformed JSON" case must send). */
export function isNotJson(text: string): boolean {
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
}
