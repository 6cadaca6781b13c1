// Turns tap's closing summary, "# { total: N, pass: N, fail: N, ... }", into the plain line CI reads.
// Before it, every failure is repeated with its subtest path and diagnostics, so that a failure
// far up a long log is still in the part of the output that is kept (innermost first, as tap prints them).
import { readFileSync } from 'node:fs';
const [file, status] = process.argv.slice(2);
const text = readFileSync(file, 'utf8');

function failures(lines) {
  const found = [];
  const path = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const subtest = /^(\s*)# Subtest: (.*)$/.exec(line);
    if (subtest) {
      const depth = subtest[1].length / 4;
      path.length = depth;
      path[depth] = subtest[2];
      continue;
    }
    const failure = /^(\s*)not ok \d+ - (.*)$/.exec(line);
    if (!failure) continue;
    const depth = failure[1].length / 4;
    const diagnostics = [];
    if (lines[i + 1]?.trim() === '---') {
      for (let j = i + 2; j < lines.length && lines[j].trim() !== '...' && diagnostics.length < 25; j++) diagnostics.push(lines[j]);
    }
    found.push({ where: [...path.slice(0, depth), failure[2]].join(' > '), diagnostics });
  }
  return found;
}

const failed = failures(text.split('\n'));
if (failed.length > 0) {
  console.log(`\nFailures (${failed.length}):`);
  for (const f of failed.slice(0, 20)) {
    console.log(`not ok: ${f.where}`);
    for (const d of f.diagnostics) console.log(`    ${d}`);
  }
}

const summaries = [...text.matchAll(/^# \{ (total: \d+[^}]*)\}\s*$/gm)];
const last = summaries.at(-1)?.[1] ?? '';
const field = (name) => Number(new RegExp(`\\b${name}: (\\d+)`).exec(last)?.[1] ?? 0);
const passed = field('pass');
let failedCount = field('fail');
const skipped = field('skip') + field('todo');
if (status !== '0' && failedCount === 0) failedCount = 1; // a crash before tap could count, or a failed build
console.log(`${passed} passed, ${failedCount} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(status === '0' && failedCount === 0 ? 0 : 1);
