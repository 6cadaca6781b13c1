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
 * Under CGI, one request in 100 sweeps and one in 200 anonymizes: pinned to never here, so no
 * test depends on chance. Tests of those chores set them to 1 (every request).
 */
const PINNED_CHANCES: Record<string, number> = { CGI_SWEEP_ONE_IN: 0, CGI_ANONYMIZE_ONE_IN: 0 };

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
  for (const [key, value] of Object.entries({ ...PINNED_CHANCES, ...extra })) {
    lines.push(`${key} = ${typeof value === 'number' ? value : Array.isArray(value) ? `[${value.map(literal).join(', ')}]` : literal(value)}`);
  }
  writeFileSync(config, lines.join('\n') + '\n');
  return { dir, storageDir, secret, config };
}
