// The quick lane (`npm run test:quick`) runs every unit test file in this one process, so that tap
// and tsx load once instead of once per file; `npm test` runs each file on its own (this file's
// name does not end in .test.ts).
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
for (const name of readdirSync(here).filter((n) => n.endsWith('.test.ts')).sort()) await import(`./${name}`);
