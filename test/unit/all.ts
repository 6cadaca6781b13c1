// The quick lane (`npm run test:quick`) runs every unit test file in this one process, so that tap
// and tsx load once instead of once per file; `npm test` runs each file on its own (this file's
// name does not end in .test.ts).
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

// Each file is imported inside a test of its own: the files' tests are then queued while the root
// test is still open (imported one after another at the top level, the root ended between two
// imports and later files' tests were refused: "cannot create subtest after parent test ends").
const here = dirname(fileURLToPath(import.meta.url));
for (const name of readdirSync(here).filter((n) => n.endsWith('.test.ts')).sort()) {
  t.test(`load ${name}`, async () => {
    await import(`./${name}`);
  });
}
