import type { PoolClient } from 'pg';
import type { FileRecord } from '../store.js';
import { fileKey } from './object-keys.js';
import type { SessionFiles } from './sessions.js';

/** Finished sessions become files like whole uploads do: the object files/<user>/<id> and a bdfu_files row. */
export const filesTable: SessionFiles = {
  keyOf: fileKey,
  async insert(client: PoolClient, record: FileRecord) {
    await client.query(
      `INSERT INTO bdfu_files (user_name, id, name, type, size, sha256, uploaded, download_token_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [record.user, record.id, record.name, record.type, record.size, record.sha256, record.uploaded, record.downloadTokenHash ?? null]);
  },
};
