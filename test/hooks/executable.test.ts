import t from 'tap';
import { ensureExecutable } from '../helpers/executable.js';
import { uploadFile } from '../helpers/http.js';
import { startBdfu } from '../helpers/serve.js';
import { scopedToken } from '../helpers/tokens.js';
import { cgiUpload } from './cgi-request.js';
import { EICAR, eventually, hookDecisions, hookFixture, storedEntries } from './helpers.js';

// The single executable carries the hooks too: a command hook through `serve` and as a CGI script.
const executable = await ensureExecutable();

t.test('the executable as bdfu serve: the scanner refuses EICAR, hears of the clean file', async (t) => {
  const fixture = hookFixture('hook-exe-serve', 'eicar-scan.sh');
  const server = await startBdfu([fixture.config], { command: [executable], env: { PATH: process.env.PATH } });
  t.teardown(() => server.stop());
  const token = await scopedToken('exe', fixture.secret, 'upload read');
  const infected = await uploadFile(server.url, token, Buffer.from(EICAR), 'eicar.com');
  t.equal(infected.status, 422, infected.text);
  t.equal(infected.json.reason, 'infected: Eicar-Test-Signature');
  t.same(storedEntries(fixture.storageDir, 'exe'), []);
  const clean = await uploadFile(server.url, token, Buffer.from('clean'), 'clean.txt');
  t.equal(clean.status, 201, clean.text);
  // The audit line follows the command's exit: wait for it, not for the command's own note.
  await eventually(() => hookDecisions(fixture.storageDir).length >= 3, 'the afterUpload decision');
  t.same(hookDecisions(fixture.storageDir).sort(), ['afterUpload command ok', 'beforeCommit command ok', 'beforeCommit command refused']);
});

t.test('the executable as a CGI script: the same, the after-event out before it exits', async (t) => {
  const fixture = hookFixture('hook-exe-cgi', 'eicar-scan.sh');
  const cgi = (name: string, data: string) => cgiUpload(fixture, 'exc', name, data, 'upload', { script: executable });
  const infected = await cgi('eicar.txt', EICAR);
  t.equal(infected.status, 422);
  t.equal(infected.json?.code, 'rejected_by_hook');
  const clean = await cgi('clean.txt', 'fine');
  t.equal(clean.status, 201);
  t.equal(clean.code, 0);
  t.same(fixture.events().map((e) => e.event), ['beforeCommit', 'beforeCommit', 'afterUpload'], 'no waiting: the process has exited');
  t.same(storedEntries(fixture.storageDir, 'exc').filter((n) => !n.startsWith('.')).length, 1, 'only the clean file');
});
