import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface Fixture {
  dir: string;
  storageDir: string;
  secret: string;
  config: string;
}

/**
 * A fresh directory with a storage directory and a .cfg file in the original's format.
 * World-readable so a web server dropping to another user can reach it.
 */
export function makeFixture(name: string, extra: Record<string, string | number | string[]> = {}): Fixture {
  const dir = mkdtempSync(join(tmpdir(), `bdfu-${name}-`));
  chmodSync(dir, 0o755);
  const storageDir = join(dir, 'storage');
  const secret = randomBytes(24).toString('hex');
  const config = join(dir, 'bdfu.cfg');
  const lines = [`JWT_SECRET_KEY = '${secret}'`, `STORAGE_DIR = '${storageDir}'`];
  const literal = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  for (const [key, value] of Object.entries(extra)) {
    lines.push(`${key} = ${typeof value === 'number' ? value : Array.isArray(value) ? `[${value.map(literal).join(', ')}]` : literal(value)}`);
  }
  writeFileSync(config, lines.join('\n') + '\n');
  return { dir, storageDir, secret, config };
}
