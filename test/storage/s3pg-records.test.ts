import { join } from 'node:path';
import t from 'tap';
import { PostgresRecords } from '../../src/storage/s3-postgres/records.js';
import { recordsContract } from '../helpers/contract/records.js';
import { ROOT } from '../helpers/paths.js';
import { startPostgres } from '../helpers/postgres.js';
import { Database } from '../../src/storage/postgres/pool.js';
import { migrate } from '../../src/storage/postgres/schema.js';

t.test('the records contract, on PostgreSQL (a real private cluster)', async (t) => {
  const postgres = startPostgres(t);
  const admin = await Database.connect(postgres.url);
  const dbs: Database[] = [admin];
  t.teardown(() => Promise.all(dbs.map((db) => db.close())));
  let count = 0;
  recordsContract(t, async () => {
    const name = `records_${++count}`;
    await admin.query(`CREATE DATABASE ${name}`);
    const url = postgres.url.replace(/\/bdfu$/, `/${name}`);
    const db = await Database.connect(url);
    dbs.push(db);
    await migrate(db);
    return {
      records: new PostgresRecords(db),
      worker: { module: join(ROOT, 'dist/storage/s3-postgres/open.js'), export: 'openRecords', args: [url] },
      cleanup: async () => undefined,
    };
  });
});
