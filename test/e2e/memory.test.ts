import t from 'tap';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { startBdfu } from '../helpers/serve.js';
import { makeFixture } from '../helpers/fixture.js';
import { http } from '../helpers/http.js';
import { originalToken } from '../helpers/original-token.js';
import { peakRss, streamedMultipart } from '../helpers/memory.js';

const MiB = 1 << 20;
const SIZE = 400 * MiB;
// Node itself peaks at ~55 MiB here just starting; a server that buffered the upload would pass 400 MiB.
const LIMIT = 128 * MiB;

t.test('a 400 MiB upload streams to disk: the server’s memory stays far below the file size', async (t) => {
  const fixture = makeFixture('memory');
  const server = await startBdfu([fixture.config], { uninstrumented: true });
  t.teardown(() => server.stop());
  const body = streamedMultipart(SIZE);
  const res = await http(`${server.url}upload`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await originalToken('big', fixture.secret, { expiresIn: 600 })}`,
      'content-type': body.contentType,
      'content-length': body.length,
    },
    body: body.body,
  });
  t.equal(res.status, 201, res.text);
  t.equal(res.json.sha256, body.digest(), 'the stored bytes are the sent bytes');
  t.equal(statSync(join(fixture.storageDir, 'big', res.json.id)).size, SIZE);
  const peak = peakRss(server.child.pid!);
  t.comment(`server peak RSS ${(peak / MiB).toFixed(1)} MiB for a ${SIZE / MiB} MiB upload`);
  t.ok(peak < LIMIT, `peak RSS ${(peak / MiB).toFixed(1)} MiB < ${LIMIT / MiB} MiB`);
});
