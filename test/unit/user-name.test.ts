import t from 'tap';
import { userNameProblem, assertValidUserName } from '../../src/storage/user-name.js';

t.test('ordinary names are fine', async (t) => {
  for (const name of ['sally', 'Sally.O', 'user@example.org', 'ünïcödé', 'a b', 'x'.repeat(255), '日本'.repeat(42)]) {
    t.equal(userNameProblem(name), undefined, name);
  }
});

t.test('names that could leave or hide in STORAGE_DIR are refused', async (t) => {
  const bad = ['', '.', '..', '.hidden', 'a/b', '../x', 'a\\b', 'nul\0', 'tab\t', 'del\x7f', 'c1\x85', 'x'.repeat(256), 'é'.repeat(128), '\ud800'];
  for (const name of bad) {
    t.type(userNameProblem(name), 'string', JSON.stringify(name).slice(0, 20));
    t.throws(() => assertValidUserName(name), { name: 'StorageError', kind: 'invalid', details: { field: 'user' } });
  }
});
