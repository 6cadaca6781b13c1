import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditEntry } from '../../src/audit/entry.js';

const ID = /^[0-9a-f]{32}$/;

/** The fields of a file's record that a hand edit (or an older bdfu) may have left in any shape. */
export interface RecordEdit {
  name?: string;
  type?: string;
}

/** A file's record, the fields a test looks at. */
export interface StoredRecord {
  name: string;
  type: string;
  downloadTokenHash?: string;
}

/**
 * What a running bdfu has stored, seen from outside it (the e2e suites' only look behind the
 * HTTP answers), the same questions on every backend.
 */
export interface Stored {
  /** Which backend: tests about one backend's own layout (permission bits, files on disk) check it. */
  readonly kind: 'disk' | 's3-postgres';
  /** Whether a record can hold U+0000 at all (PostgreSQL text cannot: no such record can exist there). */
  readonly holdsNul: boolean;
  /** The bytes of a complete file, or undefined. */
  bytes(user: string, id: string): Promise<Buffer | undefined>;
  /** The ids of a user's complete files, sorted. */
  ids(user: string): Promise<string[]>;
  /** Everything kept for a user (bytes, records, temporaries, uploads in flight), named in the backend's terms, sorted. */
  entries(user: string): Promise<string[]>;
  /** What uploads in flight hold for a user (temporary files, reservations, open multipart uploads): [] once they are over. */
  inFlight(user: string): Promise<string[]>;
  /** Every user name that has anything stored, sorted. */
  users(): Promise<string[]>;
  /** A file's record as it is stored, as text (undefined: none). */
  recordText(user: string, id: string): Promise<string | undefined>;
  /** A file's record (undefined: none). */
  record(user: string, id: string): Promise<StoredRecord | undefined>;
  /** Changes a file's record behind the server's back, as a hand edit or an older bdfu could. */
  editRecord(user: string, id: string, edit: RecordEdit): Promise<void>;
  /** The audit trail, oldest first. */
  audit(): Promise<AuditEntry[]>;
  /** Whatever is still kept for a resumable session (its state, staged bytes), named in the backend's terms. */
  sessionLeftovers(user: string, id: string): Promise<string[]>;
  /** Whether a writer holds the session's lock now (a PATCH is in progress). */
  sessionWriting(user: string, id: string): Promise<boolean>;
  /** Moves a session's expiry into the past; false when no state of it is stored. */
  expireSession(user: string, id: string): Promise<boolean>;
}

const namesIn = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).sort() : []);

/** The disk backend's layout: STORAGE_DIR/<user>/<id>, .<id>.json beside it, .audit.jsonl at the top. */
export function diskStored(storageDir: string): Stored {
  const metaFile = (user: string, id: string) => join(storageDir, user, `.${id}.json`);
  return {
    kind: 'disk',
    holdsNul: true,
    async bytes(user, id) {
      const path = join(storageDir, user, id);
      return existsSync(path) ? readFileSync(path) : undefined;
    },
    ids: async (user) => namesIn(join(storageDir, user)).filter((name) => ID.test(name)),
    entries: async (user) => namesIn(join(storageDir, user)),
    inFlight: async (user) => namesIn(join(storageDir, user)).filter((name) => name.endsWith('.part') || name.startsWith('.upload-')),
    users: async () => namesIn(storageDir),
    recordText: async (user, id) => (existsSync(metaFile(user, id)) ? readFileSync(metaFile(user, id), 'utf8') : undefined),
    async record(user, id) {
      if (!existsSync(metaFile(user, id))) return undefined;
      const { name, type, downloadTokenHash } = JSON.parse(readFileSync(metaFile(user, id), 'utf8'));
      return { name, type, ...(downloadTokenHash !== undefined ? { downloadTokenHash } : {}) };
    },
    async editRecord(user, id, edit) {
      const file = metaFile(user, id);
      writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), ...edit }));
    },
    async audit() {
      const file = join(storageDir, '.audit.jsonl');
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditEntry);
    },
    sessionLeftovers: async (user, id) => namesIn(join(storageDir, user)).filter((name) => name.includes(id)),
    sessionWriting: async (user, id) => existsSync(join(storageDir, user, `.session-${id}.lock`)),
    async expireSession(user, id) {
      const state = join(storageDir, user, `.session-${id}.json`);
      if (!existsSync(state)) return false;
      const saved = JSON.parse(readFileSync(state, 'utf8'));
      writeFileSync(state, JSON.stringify({ ...saved, expires: new Date(Date.now() - 1000).toISOString() }));
      return true;
    },
  };
}

/** Waits until `check` holds (for what the server does after answering), or gives up. */
export async function eventuallyAsync(check: () => Promise<boolean>, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}
