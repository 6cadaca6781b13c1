import { spawnSync } from 'node:child_process';
import { AwsClient } from 'aws4fetch';
import t from 'tap';
import { startPostgres } from '../helpers/postgres.js';
import { startSwift } from '../helpers/swift.js';

t.test('a private PostgreSQL answers on its own port, survives an immediate stop, and is removed after', async (t) => {
  const pg = startPostgres(t);
  const psql = (sql: string) =>
    spawnSync('psql', [pg.url, '-tAc', sql], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
  t.equal(psql('SELECT current_database()').stdout.trim(), 'bdfu');
  t.equal(psql('CREATE TABLE kept (n int)').status, 0);
  t.equal(psql('INSERT INTO kept VALUES (42)').status, 0);
  pg.stop('immediate');
  t.not(psql('SELECT 1').status, 0, 'refused while stopped');
  pg.start();
  t.equal(psql('SELECT n FROM kept').stdout.trim(), '42', 'committed rows survive a crash');
});

t.test('a private Swift serves S3 on a free port with an empty bucket, and comes back after a stop', async (t) => {
  const swift = await startSwift(t);
  t.not(swift.endpoint, 'http://127.0.0.1:8080');
  const s3 = new AwsClient({ accessKeyId: swift.accessKeyId, secretAccessKey: swift.secretAccessKey, region: swift.region, service: 's3' });
  const key = `${swift.endpoint}/${swift.bucket}/hello.txt`;
  t.equal((await s3.fetch(key, { method: 'PUT', body: 'hello', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } })).status, 200);
  await swift.stop();
  await t.rejects(s3.fetch(key), 'refused while stopped');
  await swift.start();
  const got = await s3.fetch(key);
  t.equal(await got.text(), 'hello', 'what was stored survives a restart');
  const wrong = new AwsClient({ accessKeyId: swift.accessKeyId, secretAccessKey: 'wrong', region: swift.region, service: 's3' });
  const refused = await wrong.fetch(key);
  await refused.arrayBuffer();
  t.equal(refused.status, 403, 'a wrong secret is refused');
});
