import t from 'tap';
import { isStorageError } from '../../src/storage/errors.js';
import { Database } from '../../src/storage/postgres/pool.js';
import { MIGRATIONS } from '../../src/storage/postgres/migrations.js';
import { migrate } from '../../src/storage/postgres/schema.js';
import { startPostgres } from '../helpers/postgres.js';

t.test('the schema is created once, however many instances start at once', async (t) => {
  const pg = startPostgres(t);
  const instances = await Promise.all([1, 2, 3, 4].map(() => Database.connect(pg.url)));
  t.teardown(() => Promise.all(instances.map((db) => db.close())));
  const applied = await Promise.all(instances.map((db) => migrate(db)));
  t.equal(applied.filter((versions) => versions.length > 0).length, 1, 'one instance applied the steps');
  t.same(applied.flat(), MIGRATIONS.map((step) => step.version));
  t.same(await migrate(instances[0]!), [], 'nothing to do the second time');
  const tables = await instances[0]!.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE 'bdfu_%'");
  t.ok(tables[0]!.n >= 6);
});

t.test('an unreachable PostgreSQL is a StorageError naming where, without the password', async (t) => {
  const db = await Database.connect('postgres://bdfu:s3cret@127.0.0.1:1/bdfu');
  t.teardown(() => db.close());
  const error = await db.query('SELECT 1').catch((e: unknown) => e);
  t.ok(isStorageError(error, 'unavailable'));
  t.match((error as Error).message, /^PostgreSQL at 127\.0\.0\.1:1\/bdfu cannot be reached/);
  t.notMatch((error as Error).message, /s3cret/);
});
