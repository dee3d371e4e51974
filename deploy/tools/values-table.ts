/**
 * The chart's values table in deploy/README.md, generated from the `# --` comments in
 * values.yaml (the helm-docs convention), so the two cannot drift:
 *
 *   node --import tsx deploy/tools/values-table.ts          print the table
 *   node --import tsx deploy/tools/values-table.ts --write  replace it in deploy/README.md
 *
 * A key with a `# --` comment is one row (its children included); a key without one must be a
 * map whose keys all have rows. tests/deploy checks both that nothing is undocumented and that
 * the README's table is current.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isMap, isScalar, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';

export const VALUES_FILE = fileURLToPath(
  new URL('../helm/industrial-orchestrator/values.yaml', import.meta.url),
);
export const README_FILE = fileURLToPath(new URL('../README.md', import.meta.url));
export const TABLE_START = '<!-- values-table:start -->';
export const TABLE_END = '<!-- values-table:end -->';

export interface ValueRow {
  key: string;
  type: string;
  default: string;
  description: string;
  /** The default itself (values-schema.ts derives the value's type from it). */
  value: unknown;
}

export interface ValuesDoc {
  rows: ValueRow[];
  /** Leaf keys that have no `# --` comment of their own or on an ancestor. */
  undocumented: string[];
}

/** The `-- …` description in a comment block, joined to one line; null without one. */
function description(comment: string | null | undefined): string | null {
  if (!comment) return null;
  const lines = comment.split('\n').map((line) => line.trim());
  const start = lines.findLastIndex((line) => line.startsWith('-- '));
  if (start < 0) return null;
  return lines
    .slice(start)
    .map((line, i) => (i === 0 ? line.slice(3) : line))
    .join(' ')
    .trim();
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'map' : typeof value;
}

function shown(value: unknown): string {
  const json = JSON.stringify(value);
  return json.length > 60 ? '(see values.yaml)' : `\`${json}\``;
}

export function documentValues(source: string): ValuesDoc {
  const doc = parseDocument(source);
  const rows: ValueRow[] = [];
  const undocumented: string[] = [];

  const walk = (map: YAMLMap, prefix: string) => {
    map.items.forEach((item: Pair, index) => {
      const key = `${prefix}${String(isScalar(item.key) ? item.key.value : item.key)}`;
      const value = item.value as Node | null;
      // yaml attaches a comment above a map's first key to the map itself (or the document).
      const comment =
        (isScalar(item.key) ? item.key.commentBefore : null) ??
        (index === 0 ? (map.commentBefore ?? (prefix ? null : doc.commentBefore)) : null);
      const text = description(comment);
      const plain: unknown = value && 'toJSON' in value ? value.toJSON() : value;
      if (text) {
        rows.push({
          key,
          type: typeOf(plain),
          default: shown(plain),
          description: text,
          value: plain,
        });
      } else if (isMap(value)) {
        walk(value, `${key}.`);
      } else {
        undocumented.push(key);
      }
    });
  };
  if (isMap(doc.contents)) walk(doc.contents, '');
  return { rows, undocumented };
}

const cell = (text: string) => text.replaceAll('|', '\\|');

export function renderTable(rows: ValueRow[]): string {
  return [
    '| key | type | default | description |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      (row) => `| \`${row.key}\` | ${row.type} | ${cell(row.default)} | ${cell(row.description)} |`,
    ),
  ].join('\n');
}

/** The table's rows as cells, whitespace-insensitive (Prettier pads markdown tables). */
export function tableCells(table: string): string[][] {
  return table
    .split('\n')
    .filter((line) => line.trim().startsWith('|'))
    .slice(2)
    .map((line) =>
      line
        .trim()
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
}

/** The table between the markers of deploy/README.md. */
export function readmeTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) {
    throw new Error(`deploy/README.md has no ${TABLE_START} … ${TABLE_END} block.`);
  }
  return readme.slice(start + TABLE_START.length, end).trim();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { rows, undocumented } = documentValues(await readFile(VALUES_FILE, 'utf8'));
  if (undocumented.length) {
    console.error(`Undocumented values (add a "# -- …" comment): ${undocumented.join(', ')}`);
    process.exitCode = 1;
  }
  const table = renderTable(rows);
  if (process.argv.includes('--write')) {
    const readme = await readFile(README_FILE, 'utf8');
    readmeTable(readme); // throws when the markers are missing
    const before = readme.slice(0, readme.indexOf(TABLE_START) + TABLE_START.length);
    const after = readme.slice(readme.indexOf(TABLE_END));
    await writeFile(README_FILE, `${before}\n\n${table}\n\n${after}`);
    console.error(`Wrote ${rows.length} rows to ${README_FILE}; run prettier --write on it.`);
  } else {
    console.log(table);
  }
}
