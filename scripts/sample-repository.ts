/**
 * The sample repository `npm start` offers in the console, so a first session is one click:
 * a tiny Node project with a test, committed, under the allowed repository root.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

const FILES: Record<string, string> = {
  'package.json': JSON.stringify(
    {
      name: 'sample',
      version: '1.0.0',
      private: true,
      type: 'module',
      scripts: { test: 'node --test' },
    },
    null,
    2,
  ),
  'README.md':
    '# Sample repository\n\nA tiny project for a first Industrial Orchestrator session.\n',
  'math.js': 'export function add(a, b) {\n  return a + b;\n}\n',
  'math.test.js':
    "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { add } from './math.js';\n\ntest('add', () => {\n  assert.equal(add(2, 3), 5);\n});\n",
};

export async function ensureSampleRepository(path: string): Promise<string> {
  if (existsSync(join(path, '.git'))) return path;
  await mkdir(path, { recursive: true });
  for (const [name, content] of Object.entries(FILES)) {
    await writeFile(join(path, name), content);
  }
  const git = (args: string[]) =>
    execa(
      'git',
      [
        '-c',
        'user.name=Industrial Orchestrator',
        '-c',
        'user.email=orchestrator@localhost',
        ...args,
      ],
      {
        cwd: path,
        stdin: 'ignore',
      },
    );
  await git(['init', '-q', '-b', 'main']);
  await git(['add', '-A']);
  await git(['commit', '-q', '-m', 'Sample repository']);
  return path;
}
