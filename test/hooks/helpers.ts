import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditEntry } from '../../src/audit/entry.js';
import { makeFixture, type Fixture } from '../helpers/fixture.js';
import { ROOT } from '../helpers/paths.js';

const FIXTURES = join(ROOT, 'test/fixtures');

/** The audit trail's lines, oldest first. */
export function auditLines(storageDir: string): AuditEntry[] {
  const file = join(storageDir, '.audit.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditEntry);
}

/** The hook decisions in the audit trail, as `hook via outcome`. */
export function hookDecisions(storageDir: string): string[] {
  return auditLines(storageDir).filter((e) => e.action === 'hook').map((e) => `${e.hook} ${e.via} ${e.outcome}`);
}

/** Waits (up to 20 s) until `ready()` holds; for after-hooks, which finish after the answer. */
export async function eventually<T>(probe: () => T | undefined | false, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A user's files, their metadata and temporary files: what "nothing stored" means. */
export function storedEntries(storageDir: string, user: string): string[] {
  const dir = join(storageDir, user);
  return existsSync(dir) ? readdirSync(dir).filter((name) => /^[0-9a-f]{32}$|^\.upload-|^\.[0-9a-f]{32}\.json$/.test(name)) : [];
}

export const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

/** A fixture whose HOOK_COMMAND is a copy of a script from test/fixtures, in its own directory. */
export function hookFixture(name: string, script: string, extra: Record<string, string | number | string[]> = {}): Fixture & { events: () => any[]; environment: () => string[] } {
  // The configuration names the command relative to itself: the fixture's directory.
  const fixture = makeFixture(name, { HOOK_COMMAND: script, ...extra });
  copyFileSync(join(FIXTURES, script), join(fixture.dir, script));
  const events = () => {
    const file = join(fixture.dir, 'events.jsonl');
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  };
  const environment = () => {
    const file = join(fixture.dir, 'environment.txt');
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  };
  return { ...fixture, events, environment };
}
