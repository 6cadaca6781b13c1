import t from 'tap';
import { createRouter, type Route } from '../../src/core/router.js';
import { HttpError } from '../../src/core/http-error.js';

const handler = async () => async () => ({ status: 200, headers: {} });
const routes: Route[] = [
  { method: 'POST', pattern: '/upload', action: 'test', load: handler },
  { method: 'GET', pattern: '/files/:user/:id', action: 'test', load: handler },
  { method: 'DELETE', pattern: '/files/:user/:id', action: 'test', load: handler },
  { method: 'GET', pattern: '/files/:user/by-name/*name', action: 'test', load: handler },
  { method: 'GET', pattern: '/', action: 'test', load: handler },
];
const route = createRouter(routes);
const fails = (method: string, path: string, status: number, code: string) =>
  t.throws(() => route(method, path), { name: 'HttpError', status, code }, `${method} ${path}`);

t.test('matching and params', async (t) => {
  t.same(route('POST', '/upload').params, {});
  t.same(route('GET', '/files/sally/abc').params, { user: 'sally', id: 'abc' });
  t.same(route('GET', '/files/s%20y/a%2Fb').params, { user: 's y', id: 'a/b' }, 'segments are decoded after splitting');
  t.same(route('GET', '/files/sally/by-name/x.txt').params, { user: 'sally', name: 'x.txt' });
  t.equal(route('HEAD', '/files/a/b').route.method, 'GET', 'HEAD is served by GET');
  t.equal(route('GET', '/').route.pattern, '/');
});

t.test('404, 405 with Allow, bad encoding', async (t) => {
  fails('GET', '/nope', 404, 'not_found');
  fails('GET', '/upload/extra', 404, 'not_found');
  fails('GET', '/upload', 405, 'method_not_allowed');
  try {
    route('PUT', '/files/a/b');
  } catch (e) {
    t.equal((e as HttpError).headers.allow, 'DELETE, GET, HEAD');
  }
  fails('GET', '/files/%zz/b', 400, 'bad_path');
});
