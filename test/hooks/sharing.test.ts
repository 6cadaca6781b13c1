import t, { type Test } from 'tap';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHandler, type AfterEvent, type AuthorizeEvent, type BeforeCommitEvent, type Hooks } from '../../src/index.js';
import { makeFixture } from '../helpers/fixture.js';
import { http, multipart, uploadFile } from '../helpers/http.js';
import { bearer, scopedToken } from '../helpers/tokens.js';
import { eventually } from './helpers.js';

async function mount(t: Test, hooks: Hooks) {
  const fixture = makeFixture('hooks-sharing');
  const handler = createHandler({ storageDir: fixture.storageDir, jwtSecretKey: fixture.secret, hooks }, { log: () => undefined });
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const token = await scopedToken('olga', fixture.secret, 'upload read delete');
  const auth = bearer(token);
  const postJson = (path: string, value: unknown) =>
    http(`${url}${path}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(value)) });
  return { url, auth, token, postJson };
}

function sendToRequest(requestUrl: string, name: string, data: string) {
  const { body, contentType } = multipart([{ name: 'file', filename: name, type: 'text/plain', data }]);
  return http(requestUrl, { method: 'POST', headers: { 'content-type': contentType, 'content-length': body.length }, body });
}

t.test('sharing routes ask the authorize hook: share links, their downloads, file requests', async (t) => {
  const seen: AuthorizeEvent[] = [];
  const { url, token, postJson } = await mount(t, {
    authorize(event) {
      seen.push(event);
      if (event.action === 'share' && event.resource.id === 'blocked') return { allow: false, status: 451, message: 'not this one' };
      if (event.action === 'read' && !event.principal) return { allow: false, status: 403, message: 'no anonymous reads today' };
      if (event.action === 'upload' && !event.principal) return { allow: false, status: 403, message: 'no anonymous uploads today' };
      return { allow: true };
    },
  });
  const up = await uploadFile(url, token, Buffer.from('shared bytes'));
  t.equal(up.status, 201);
  const made = await postJson(`files/olga/${up.json.id}/links`, {});
  t.equal(made.status, 201, made.text);
  const asked = seen.find((e) => e.action === 'share')!;
  t.same(asked.resource, { owner: 'olga', id: up.json.id });
  t.equal(asked.principal?.user, 'olga');
  const blocked = await postJson('files/olga/blocked/links', {});
  t.equal(blocked.status, 451);
  t.equal(blocked.json.code, 'denied_by_hook');
  const bytes = await http(made.json.url);
  t.equal(bytes.status, 403, 'a link download is refused by the hook');
  t.equal(bytes.json.code, 'denied_by_hook');
  const request = await postJson('requests/olga', { maxFiles: 2 });
  t.equal(request.status, 201, request.text);
  const sent = await sendToRequest(request.json.url, 'a.txt', 'hello');
  t.equal(sent.status, 403, 'a file-request upload is refused by the hook');
  t.equal(sent.json.code, 'denied_by_hook');
  t.same(seen.find((e) => e.action === 'upload' && !e.principal)?.resource, { owner: 'olga' });
});

t.test('a file-request upload runs beforeCommit; a rejection stores nothing and frees the slot', async (t) => {
  const seen: BeforeCommitEvent[] = [];
  const heard: AfterEvent[] = [];
  const { url, auth, postJson } = await mount(t, {
    afterUpload(event) {
      heard.push(event);
    },
    beforeCommit(event) {
      seen.push(event);
      return event.name.endsWith('.exe') ? { accept: false, reason: 'no programs, please' } : { accept: true };
    },
  });
  const request = await postJson('requests/olga', { maxFiles: 1 });
  t.equal(request.status, 201, request.text);
  const refused = await sendToRequest(request.json.url, 'x.exe', 'MZ');
  t.equal(refused.status, 422);
  t.equal(refused.json.code, 'rejected_by_hook');
  t.match(seen[0], { user: 'olga', name: 'x.exe', size: 2 });
  const accepted = await sendToRequest(request.json.url, 'a.txt', 'hello');
  t.equal(accepted.status, 201, 'the refused upload did not use up the only slot');
  const files = await http(`${url}files/olga`, { headers: auth });
  t.same(files.json.files.map((f: { name: string }) => f.name), ['a.txt'], 'only the accepted file is stored');
  await eventually(() => heard.length >= 1, 'the afterUpload event');
  t.same(heard.map((e) => [e.user, e.record.user, e.record.name]), [[null, 'olga', 'a.txt']], 'afterUpload hears of the accepted upload only');
});
