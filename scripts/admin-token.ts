import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

interface TokenStore {
  create(name: string, role: 'admin'): Promise<{ token: string }>;
  verify(token: string): Promise<{ role: string } | null>;
}

/**
 * The admin token of a local installation: created on first start (stored hashed in the
 * database) and kept in plain text only in `.data/admin-token` (mode 0600) so later starts can
 * print it again. A token that no longer verifies (database reset) is replaced.
 */
export async function ensureAdminToken(
  tokens: TokenStore,
  dataDir: string,
): Promise<{ token: string; created: boolean; file: string }> {
  const file = join(dataDir, 'admin-token');
  if (existsSync(file)) {
    const token = (await readFile(file, 'utf8')).trim();
    // A token that lost its admin role is no admin token: make a new one.
    if (token && (await tokens.verify(token))?.role === 'admin') {
      return { token, created: false, file };
    }
  }
  const { token } = await tokens.create('admin', 'admin');
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return { token, created: true, file };
}
