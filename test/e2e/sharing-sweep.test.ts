import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setExpiry } from '../../src/sharing/expiry-records.js';
import { DiskRecords } from '../../src/storage/disk/records.js';
import { makeFixture } from '../helpers/fixture.js';
import { http } from '../helpers/http.js';
import { startBdfu } from '../helpers/serve.js';
import { bearer, scopedToken } from '../helpers/tokens.js';
import { upload } from './files-suite.js';

t.test('bdfu serve: an expired file is refused at once and deleted (and audited) by the sweep at start', async (t) => {
  const fixture = makeFixture('sharing-sweep');
  const token = await scopedToken('sweep', fixture.secret, 'upload read');
  let server = await startBdfu([fixture.config]);
  const due = (await upload(server.url, token, 'due', { query: '?expires_in=1h' })).json;
  const kept = (await upload(server.url, token, 'kept', { query: '?expires_in=1h' })).json;
  // Its time is set to have passed, in the records, as another instance's clock would have it.
  await setExpiry(new DiskRecords(fixture.storageDir), 'sweep', due.id, new Date(Date.now() - 1000));
  t.equal((await http(`${server.url}files/sweep/${due.id}`, { headers: bearer(token) })).status, 404, 'refused before any sweep');
  t.ok(existsSync(join(fixture.storageDir, 'sweep', due.id)), 'not deleted yet');
  await server.stop();

  server = await startBdfu([fixture.config]);
  t.teardown(() => server.stop());
  t.notOk(existsSync(join(fixture.storageDir, 'sweep', due.id)), 'the sweep at start deleted it');
  t.ok(existsSync(join(fixture.storageDir, 'sweep', kept.id)), 'and only it');
  const trail = readFileSync(join(fixture.storageDir, '.audit.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  t.match(trail.filter((e) => e.action === 'expire'), [{ owner: 'sweep', id: due.id, outcome: 'ok', bytes: 3 }]);
});
