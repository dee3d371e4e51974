import { html } from 'diff2html';
import type { ColorSchemeType } from 'diff2html/lib/types';

/**
 * A unified diff (as `git show` / `git diff` print it) as diff2html markup: dark, line by line,
 * with the list of files when there is more than one. diff2html escapes the diff's text.
 */
export function diffToHtml(diff: string): string {
  const markup = html(diff, {
    outputFormat: 'line-by-line',
    drawFileList: true,
    matching: 'lines',
    // The enum's value; importing the enum itself would pull diff2html's CommonJS build.
    colorScheme: 'dark' as ColorSchemeType,
  });
  // Each file's diff scrolls sideways: keyboard users must be able to focus it to scroll it.
  return markup.replace(/class="d2h-file-diff"/g, 'class="d2h-file-diff" tabindex="0"');
}
