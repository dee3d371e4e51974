import { describe, expect, it } from 'vitest';
import { diffToHtml } from './diff-html';

const DIFF = `diff --git a/math.js b/math.js
index 1111111..2222222 100644
--- a/math.js
+++ b/math.js
@@ -1,3 +1,3 @@
 export function add(a, b) {
-  return a - b;
+  return a + b; // <script>alert(1)</script>
 }
`;

describe('diff rendering', () => {
  it('shows the file, the removed and the added line', () => {
    const html = diffToHtml(DIFF);
    expect(html).toContain('math.js');
    expect(html).toContain('d2h-del');
    expect(html).toContain('d2h-ins');
    expect(html).toContain('d2h-dark-color-scheme');
  });

  it('lets the keyboard reach each file’s sideways-scrolling diff', () => {
    expect(diffToHtml(DIFF)).toContain('class="d2h-file-diff" tabindex="0"');
  });

  it('escapes the diff text', () => {
    const html = diffToHtml(DIFF);
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;');
  });
});
