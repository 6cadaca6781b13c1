// Turns tap's closing summary, "# { total: N, pass: N, fail: N, ... }", into the plain line CI reads.
import { readFileSync } from 'node:fs';
const [file, status] = process.argv.slice(2);
const text = readFileSync(file, 'utf8');
const summaries = [...text.matchAll(/^# \{ (total: \d+[^}]*)\}\s*$/gm)];
const last = summaries.at(-1)?.[1] ?? '';
const field = (name) => Number(new RegExp(`\\b${name}: (\\d+)`).exec(last)?.[1] ?? 0);
const passed = field('pass');
let failed = field('fail');
const skipped = field('skip') + field('todo');
if (status !== '0' && failed === 0) failed = 1; // a crash before tap could count, or a failed build
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(status === '0' && failed === 0 ? 0 : 1);
