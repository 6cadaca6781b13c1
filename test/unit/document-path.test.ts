import t from 'tap';
import { documentPathProblem, pathSegments } from '../../src/storage/document-path.js';
import { fileNameFor, nameOfFile } from '../../src/storage/disk/file-names.js';

t.test('document and folder paths', async (t) => {
  for (const ok of ['/a', '/a/b.txt', '/é/ü', '/.hidden', '/a b/c%2Fd', '/..a']) t.equal(documentPathProblem(ok), undefined, ok);
  for (const ok of ['/', '/a/', '/a/b/']) t.equal(documentPathProblem(ok, 'folder'), undefined, ok);
  const bad: [string, RegExp][] = [
    ['a', /start with \//], ['/a/', /ends with \//], ['/a//b', /empty segment/], ['/a/../b', /\.\. segment/], ['/./a', /\. or \.\. segment/],
    ['/a\u0000', /control/], ['/a\u0085', /control/], ['/\ud800', /well-formed/], [`/${'x'.repeat(121)}`, /longer than 120/],
    [`/${'x/'.repeat(1100)}x`, /longer than 2048/],
  ];
  for (const [path, problem] of bad) t.match(documentPathProblem(path), problem, JSON.stringify(path.slice(0, 12)));
  t.match(documentPathProblem('/a', 'folder'), /does not end with/);
  t.match(documentPathProblem('//', 'folder'), /empty segment/);
  t.same(pathSegments('/a/b/c'), ['a', 'b', 'c']);
  t.same(pathSegments('/a/b/'), ['a', 'b']);
  t.same(pathSegments('/'), []);
});

t.test('names become safe, distinct file names and back', async (t) => {
  const names = ['plain_Name-1', 'a.b', '.', '..', '', '../x', 'a/b', 'é', 'e\u0301', '=x', '+x', 'x'.repeat(200), 'x'.repeat(201), '\u0000', '~'];
  const files = names.map(fileNameFor);
  t.equal(new Set(files).size, names.length, 'distinct names, distinct files');
  for (const [i, file] of files.entries()) {
    t.match(file, /^[A-Za-z0-9_=+-][A-Za-z0-9_-]*$/, `${JSON.stringify(names[i]!.slice(0, 12))} → ${file.slice(0, 20)}`);
    t.ok(file.length <= 201 && file !== '.' && file !== '..');
  }
  t.equal(fileNameFor('plain_Name-1'), 'plain_Name-1');
  for (const name of ['plain_Name-1', 'a.b', '../x', 'é', 'x'.repeat(140)]) t.equal(nameOfFile(fileNameFor(name)), name);
  t.equal(nameOfFile(fileNameFor('x'.repeat(201 * 3))), undefined, 'a hashed name is read from its file');
  t.equal(nameOfFile('.etag'), undefined, 'bdfu’s own files are no names');
  t.equal(nameOfFile('.tmp-123'), undefined);
  t.equal(nameOfFile('=Zm9v='), undefined, 'not one of ours');
});
