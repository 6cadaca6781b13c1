import { mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDirectory } from '../directory-sync.js';
import { assertCollectionName, assertRecordKey } from '../record-names.js';
import type { Records } from '../records.js';
import { readJson, writeFileAtomic } from './atomic-file.js';
import { withExclusiveLock } from './exclusive-lock.js';
import { fileNameFor, isHashedFileName, nameOfFile } from './file-names.js';

interface StoredRecord<T> {
  key: string;
  value: T;
}

/**
 * STORAGE_DIR/.records/<collection>/<key as a file name>.json, one JSON file per record holding
 * `{ key, value }`. update() holds `<key as a file name>.lock` (O_EXCL, taken over when its
 * holder died) while it reads, changes and replaces the file (temporary file, fsync, rename).
 * Readers take no lock: a rename is atomic, so they see the old record or the new one.
 */
export class DiskRecords implements Records {
  constructor(readonly storageDir: string) {}

  private directory(collection: string): string {
    assertCollectionName(collection);
    return join(this.storageDir, '.records', collection);
  }

  private paths(collection: string, key: string) {
    assertRecordKey(key);
    const dir = this.directory(collection);
    const base = join(dir, fileNameFor(key));
    return { dir, file: `${base}.json`, lock: `${base}.lock` };
  }

  async get<T>(collection: string, key: string): Promise<T | undefined> {
    const stored = await readJson<StoredRecord<T>>(this.paths(collection, key).file);
    return stored && stored.key === key ? stored.value : undefined;
  }

  async update<T>(collection: string, key: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined> {
    const { dir, file, lock } = this.paths(collection, key);
    await mkdir(dir, { recursive: true });
    return withExclusiveLock(lock, async () => {
      const stored = await readJson<StoredRecord<T>>(file);
      const current = stored && stored.key === key ? stored.value : undefined;
      const next = change(current === undefined ? undefined : structuredClone(current));
      if (next === undefined) {
        if (stored !== undefined) {
          await unlink(file).catch(ignoreMissing);
          await fsyncDirectory(dir);
        }
        return undefined;
      }
      await writeFileAtomic(file, JSON.stringify({ key, value: next } satisfies StoredRecord<T>));
      return next;
    });
  }

  async *list<T>(collection: string, keyPrefix = ''): AsyncIterable<{ key: string; value: T }> {
    let names: string[];
    try {
      names = await readdir(this.directory(collection));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const found: { key: string; value: T }[] = [];
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      const base = name.slice(0, -'.json'.length);
      const key = nameOfFile(base);
      if (key === undefined ? !isHashedFileName(base) : !key.startsWith(keyPrefix)) continue;
      const stored = await readJson<StoredRecord<T>>(join(this.directory(collection), name));
      if (stored && stored.key.startsWith(keyPrefix) && fileNameFor(stored.key) === base) found.push({ key: stored.key, value: stored.value });
    }
    found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    yield* found;
  }

  async remove(collection: string, key: string): Promise<boolean> {
    let removed = false;
    await this.update(collection, key, (current) => {
      removed = current !== undefined;
      return undefined;
    });
    return removed;
  }
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
