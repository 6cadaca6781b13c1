// npm run bench, once, at toy sizes: it must complete and write every row of its table with
// numbers. It checks that the bench still runs, never how fast anything is (see docs/performance.md).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import t from 'tap';
import { ROOT } from '../helpers/paths.js';
import { run } from '../helpers/run.js';

const RUNNER = join(ROOT, 'dist/bench/run.js');
const SINGLE_EXECUTABLE = join(ROOT, 'dist/bdfu-linux-x64');

/** Every figure the default run writes (the bench's --size 1M: 1 MiB, half of it 0.5 MiB; --clients 4). */
const FIGURES = [
  '1. upload 1 MiB, throughput',
  '1. upload 1 MiB, the ceiling: a durable pipe (SHA-256, record, fsyncs, rename) against the pipe',
  '1. upload 1 MiB, against the durable pipe',
  '1. upload 1 MiB, against Apache mod_dav',
  '1. server CPU time per GiB uploaded (user + system)',
  '1. durable pipe: server CPU time per GiB uploaded (user + system)',
  '1. of which SHA-256 (same data, hashed in the runner)',
  '2. peak RSS, upload 1 MiB',
  '2. peak RSS, 1 MiB vs 0.5 MiB (flat)',
  '2. peak RSS, bdfu serve idle after start',
  '3. 1 KiB uploads, 4 keep-alive clients',
  '3. 1 KiB uploads, 4 keep-alive clients, the ceiling: a durable pipe (SHA-256, record, fsyncs, rename) against the pipe',
  '3. 1 KiB uploads, 4 keep-alive clients, against the durable pipe',
  '3. 1 KiB uploads, 4 keep-alive clients, against Apache mod_dav',
  '3. 1 KiB uploads, 4 keep-alive clients, the durable pipe against Apache mod_dav',
  '4. CGI upload (1 KiB), cgi-bin/bdfu spawned with env + stdin',
  '4. CGI upload (1 KiB), cgi-bin/bdfu spawned with env + stdin: CPU time',
  '4. the ceiling: a minimal durable CGI upload (jose, busboy, SHA-256, record, fsyncs, rename; bundled): CPU time',
  '4. CGI upload (1 KiB), cgi-bin/bdfu against the minimal durable CGI upload: CPU time',
  '4. CGI upload (1 KiB), single executable spawned with env + stdin',
  '4. CGI upload (1 KiB), single executable spawned with env + stdin: CPU time',
  '4. CGI upload (1 KiB) through Apache event + mod_cgid',
  "4. Apache event + mod_cgid: the no-op Node CGI (Node's start) against a no-op sh CGI",
  '4. upload (1 KiB) through Apache event reverse proxy → bdfu serve',
  '4. CGI upload (1 KiB) through Apache prefork + mod_cgi',
  "4. Apache prefork + mod_cgi: the no-op Node CGI (Node's start) against a no-op sh CGI",
  '4. upload (1 KiB) through Apache prefork reverse proxy → bdfu serve',
  '5. start-up, bdfu --version',
  '5. start-up, bdfu --version: CPU time',
  '5. start-up, single executable --version',
  '5. start-up, single executable --version: CPU time',
  '6. download 1 MiB, throughput',
  '6. server CPU time per GiB downloaded (user + system)',
  // tus: at 1 MiB the chunked upload goes in 256 KiB PATCHes (8 MiB from 32 MiB up).
  '7. tus upload 1 MiB, one PATCH',
  '7. tus upload 1 MiB, 256 KiB PATCHes',
  '7. tus upload 1 MiB, 256 KiB PATCHes, cgi-bin/bdfu through Apache event + mod_cgid',
  '7. server CPU time per GiB, tus one PATCH (user + system)',
  '7. peak RSS, tus upload 1 MiB (one PATCH)',
  '7. peak RSS, tus upload 1 MiB (256 KiB PATCHes)',
  '7. peak RSS, tus upload 2 MiB vs 1 MiB (flat)',
  '7. tus upload 1 MiB, one PATCH, against @tus/server + @tus/file-store',
  '7. server CPU time per GiB, tus one PATCH, against @tus/server + @tus/file-store',
  '7. tus upload 1 MiB, 256 KiB PATCHes, against @tus/server + @tus/file-store',
  '7. 1 KiB tus uploads (POST with creation-with-upload), 4 keep-alive clients, against @tus/server + @tus/file-store',
];

/** The single executable's rows: a single note row each when it is not built (npm run build:bin). */
const SINGLE = /single executable/;

interface Summary { median: number; min: number; max: number; samples: number[] }
interface Row { figure: string; unit: string; bdfu?: Summary; baselineLabel?: string; baseline?: Summary; ratio?: number; note?: string }

const isNumber = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);

t.test('npm run bench at toy sizes completes and writes every row', async (t) => {
  t.ok(existsSync(RUNNER), `${RUNNER} is built (npm test compiles the bench: tsc -p bench)`);
  const dir = mkdtempSync(join(tmpdir(), 'bdfu-bench-smoke-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'results.json');
  const before = existsSync(join(ROOT, 'bench/results.json')) ? readFileSync(join(ROOT, 'bench/results.json'), 'utf8') : undefined;
  // Only PATH and LANG, as the bench gives its own children: no NODE_OPTIONS of the test runner.
  const env = { PATH: `${dirname(process.execPath)}:/usr/sbin:/usr/bin:/sbin:/bin`, LANG: 'C.UTF-8' };
  const ran = await run(process.execPath, [RUNNER, '--size', '1M', '--runs', '1', '--seconds', '1', '--spawns', '1', '--clients', '4', '--out', out], { env, cwd: dir });
  t.equal(ran.code, 0, ran.code === 0 ? 'the bench exits 0' : `the bench exits 0:\n${ran.stderr.slice(-3000)}`);
  t.match(ran.stdout, /^figure\s+bdfu: median/m, 'it prints its table');
  t.match(ran.stdout, /^written to (\S*\/)?results\.json$/m, 'and says where it wrote the results');
  t.equal(existsSync(join(ROOT, 'bench/results.json')) ? readFileSync(join(ROOT, 'bench/results.json'), 'utf8') : undefined, before,
    '--out leaves bench/results.json alone');

  const results = JSON.parse(readFileSync(out, 'utf8')) as { rows: Row[]; markdown: string; machine: { loadBefore: string; loadAfter: string } };
  t.match(results.machine, { loadBefore: /^\d/, loadAfter: /^\d/ }, 'the load average before and after');
  const figures = results.rows.map((r) => r.figure);
  const singleBuilt = existsSync(SINGLE_EXECUTABLE);
  const expected = singleBuilt ? FIGURES : FIGURES.filter((f) => !(SINGLE.test(f) && f.endsWith(': CPU time')));
  const named = (f: string) => (!singleBuilt && SINGLE.test(f) ? f.replace(/ spawned with env \+ stdin$/, '') : f);
  t.same(figures, expected.map(named), 'every figure, in order');
  for (const row of results.rows) {
    if (!singleBuilt && SINGLE.test(row.figure)) {
      t.match(row.note, /not built/, `${row.figure}: not measured, and says why`);
      continue;
    }
    t.notOk(row.note, `${row.figure}: no note (${row.note ?? ''})`);
    t.ok(row.bdfu && row.bdfu.samples.length > 0 && row.bdfu.samples.every(isNumber) && isNumber(row.bdfu.median), `${row.figure}: bdfu's numbers`);
    if (row.baselineLabel) {
      t.ok(row.baseline && row.baseline.samples.every(isNumber) && isNumber(row.baseline.median), `${row.figure}: the baseline's numbers`);
      t.ok(isNumber(row.ratio), `${row.figure}: a ratio`);
    }
    t.ok(results.markdown.includes(`| ${row.figure.replace(/\|/g, '\\|')}`), `${row.figure}: in the Markdown table`);
  }
});
