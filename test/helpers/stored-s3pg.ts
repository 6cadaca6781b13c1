import type { AuditEntry } from '../../src/audit/entry.js';
import type { Database } from '../../src/storage/postgres/pool.js';
import type { S3Client } from '../../src/storage/s3/client.js';
import type { Stored } from './stored.js';

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The S3 + PostgreSQL backend's storage, read the way the backend writes it: bytes at
 * files/<user>/<id> in the bucket, records in bdfu_files, room held by uploads in flight in
 * bdfu_reservations, sessions in bdfu_sessions (staged bytes under .sessions/<id>/), the audit
 * trail in bdfu_audit. `s3` must be a client on the instance's bucket, `db` on its database.
 */
export function s3pgStored(s3: S3Client, db: Database): Stored {
  const fileKeys = async (user: string) => (await all(s3.listObjects(`files/${user}/`))).map((object) => object.key);
  const uploads = async (user: string) => (await all(s3.listMultipartUploads(`files/${user}/`))).map((upload) => `multipart upload ${upload.key}`);
  const reservations = async (user: string) =>
    (await db.query<{ id: string }>('SELECT id FROM bdfu_reservations WHERE user_name = $1', [user])).map((row) => `reservation ${row.id}`);
  const records = async (user: string) =>
    (await db.query<{ id: string }>('SELECT id FROM bdfu_files WHERE user_name = $1 ORDER BY id', [user])).map((row) => row.id);
  return {
    kind: 's3-postgres',
    holdsNul: false,
    async bytes(user, id) {
      const object = await s3.getObject(`files/${user}/${id}`);
      return object ? readAll(object.stream) : undefined;
    },
    ids: records,
    async entries(user) {
      const [keys, ids, held, open] = await Promise.all([fileKeys(user), records(user), reservations(user), uploads(user)]);
      return [...keys, ...ids.map((id) => `record ${id}`), ...held, ...open].sort();
    },
    async inFlight(user) {
      const [held, open] = await Promise.all([reservations(user), uploads(user)]);
      return [...held, ...open].sort();
    },
    async users() {
      const rows = await db.query<{ name: string }>(
        'SELECT name FROM bdfu_users UNION SELECT user_name FROM bdfu_files UNION SELECT user_name FROM bdfu_reservations UNION SELECT username FROM bdfu_sessions');
      const owners = (await all(s3.listObjects('files/'))).map((object) => object.key.split('/')[1]!);
      return [...new Set([...rows.map((row) => row.name), ...owners])].sort();
    },
    async recordText(user, id) {
      const rows = await db.query('SELECT * FROM bdfu_files WHERE user_name = $1 AND id = $2', [user, id]);
      return rows[0] === undefined ? undefined : JSON.stringify(rows[0]);
    },
    async record(user, id) {
      const rows = await db.query<{ name: string; type: string; download_token_hash: string | null }>(
        'SELECT name, type, download_token_hash FROM bdfu_files WHERE user_name = $1 AND id = $2', [user, id]);
      const row = rows[0];
      if (row === undefined) return undefined;
      return { name: row.name, type: row.type, ...(row.download_token_hash !== null ? { downloadTokenHash: row.download_token_hash } : {}) };
    },
    async editRecord(user, id, edit) {
      const rows = await db.query('UPDATE bdfu_files SET name = coalesce($3, name), type = coalesce($4, type) WHERE user_name = $1 AND id = $2 RETURNING id',
        [user, id, edit.name ?? null, edit.type ?? null]);
      if (rows.length !== 1) throw new Error(`no record of ${user}/${id} to edit`);
    },
    audit: async () => (await db.query<{ entry: AuditEntry }>('SELECT entry FROM bdfu_audit ORDER BY seq')).map((row) => row.entry),
    async sessionLeftovers(user, id) {
      const rows = await db.query<{ id: string }>('SELECT id FROM bdfu_sessions WHERE id = $1', [id]);
      const staged = (await all(s3.listObjects(`.sessions/${id}/`))).map((object) => object.key);
      const open = (await uploads(user)).filter((upload) => upload.includes(id));
      const stagedUploads = (await all(s3.listMultipartUploads(`.sessions/${id}/`))).map((upload) => `multipart upload ${upload.key}`);
      return [...rows.map((row) => `session ${row.id}`), ...staged, ...open, ...stagedUploads].sort();
    },
    async sessionWriting(_user, id) {
      // The writer's lock is an advisory lock on the first 64 bits of the id: pg_locks shows them as two 32-bit halves.
      const rows = await db.query(
        `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND classid = $1::bigint::oid AND objid = $2::bigint::oid
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [parseInt(id.slice(0, 8), 16), parseInt(id.slice(8, 16), 16)]);
      return rows.length > 0;
    },
    async expireSession(_user, id) {
      const rows = await db.query("UPDATE bdfu_sessions SET expires = now() - interval '1 second' WHERE id = $1 RETURNING id", [id]);
      return rows.length === 1;
    },
  };
}
