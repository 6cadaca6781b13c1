// Benchmark, not part of `npm test`: per-request time of small uploads through Apache CGI
// (event + mod_cgid, prefork + mod_cgi), through the reverse proxy, and straight to bdfu serve,
// with floors: CGI scripts that only answer, in Node and in sh. Run: npm run build && npx tap --disable-coverage bench/apache-cgi.test.ts
// (BENCH_REQUESTS=200 for a longer run). It prints figures; it asserts only that uploads succeed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { includeSnippet, scriptHome, webFixture } from '../test/apache/cgi-suite.js';
import { reachableTempDir, startApache, type Mpm } from '../test/helpers/apache.js';
import { makeFixture } from '../test/helpers/fixture.js';
import { http, uploadFile } from '../test/helpers/http.js';
import { originalToken } from '../test/helpers/original-token.js';
import { startBdfu } from '../test/helpers/serve.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 50);
const WARMUP = 3;
const data = randomBytes(1024);

interface Figures { mean: number; median: number; p90: number }

function figures(ms: number[]): Figures {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { mean: ms.reduce((a, b) => a + b, 0) / ms.length, median: at(0.5), p90: at(0.9) };
}

/** One timed call of each path in turn, REQUESTS rounds: a busy machine slows all of them alike. */
async function interleaved(paths: Record<string, () => Promise<void>>): Promise<Record<string, Figures>> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(paths).map((name) => [name, []]));
  for (let round = 0; round < WARMUP + REQUESTS; round++) {
    for (const [name, call] of Object.entries(paths)) {
      const start = process.hrtime.bigint();
      await call();
      if (round >= WARMUP) times[name]!.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([name, ms]) => [name, figures(ms)]));
}

async function uploader(base: string, secret: string): Promise<() => Promise<void>> {
  const token = await originalToken('bench', secret, { expiresIn: 3600 });
  return async () => {
    const res = await uploadFile(base, token, data);
    if (res.status !== 201) throw new Error(`upload to ${base}: ${res.status} ${res.text}`);
  };
}

function getter(url: string): () => Promise<void> {
  return async () => {
    const res = await http(url);
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${res.text}`);
  };
}

/** The floors: a CGI script that only answers, in Node (its start-up) and in sh (Apache's CGI cost). */
function floorScripts(dir: string): string {
  writeFileSync(join(dir, 'node.cgi'), "#!/usr/bin/env node\nprocess.stdout.write('Content-Type: text/plain\\r\\n\\r\\nok');\n", { mode: 0o755 });
  writeFileSync(join(dir, 'sh.cgi'), "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nok'\n", { mode: 0o755 });
  return `ScriptAlias /floor/ ${dir}/\n<Directory ${dir}>\n    Require all granted\n</Directory>\n`;
}

t.test('per-request time of small uploads', async (t) => {
  const paths: Record<string, () => Promise<void>> = {};
  const direct = makeFixture('bench-direct');
  const server = await startBdfu([direct.config], { uninstrumented: true });
  t.teardown(() => server.stop());
  paths['bdfu serve, direct'] = await uploader(server.url, direct.secret);

  for (const mpm of ['event', 'prefork'] as Mpm[]) {
    const work = reachableTempDir(`bdfu-bench-${mpm}-`);
    const floors = join(work, 'floor');
    mkdirSync(floors);
    const fixture = webFixture(`bench-${mpm}`);
    const proxied = makeFixture(`bench-proxy-${mpm}`, { BASE_PATH: '/proxied/' });
    const backend = await startBdfu([proxied.config], { uninstrumented: true });
    t.teardown(() => backend.stop());
    const apache = await startApache(t, {
      mpm,
      modules: ['proxy', 'proxy_http'],
      config: () => includeSnippet('bdfu-cgi.conf', { BDFU_HOME: scriptHome(work, 'home'), BDFU_CONFIG: fixture.config, BDFU_URL: '/files' }) +
        includeSnippet('bdfu-proxy.conf', { BDFU_URL: '/proxied', BDFU_BACKEND: new URL(backend.url).origin }) + floorScripts(floors),
    });
    const cgi = mpm === 'event' ? 'mod_cgid' : 'mod_cgi';
    paths[`Apache ${mpm} + ${cgi}: sh script that only answers`] = getter(`${apache.origin}/floor/sh.cgi`);
    paths[`Apache ${mpm} + ${cgi}: Node script that only answers`] = getter(`${apache.origin}/floor/node.cgi`);
    paths[`Apache ${mpm} + ${cgi} (bdfu-cgi.conf)`] = await uploader(`${apache.origin}/files/`, fixture.secret);
    paths[`Apache ${mpm} reverse proxy → bdfu serve`] = await uploader(`${apache.origin}/proxied/`, proxied.secret);
  }

  const results = await interleaved(paths);
  t.pass(`${REQUESTS} rounds over ${Object.keys(paths).length} paths`);
  const directMean = results['bdfu serve, direct']!.mean;
  t.comment(`${REQUESTS} rounds (after ${WARMUP} warm-up), one request per path per round, sequential; ms per request`);
  t.comment('| path | mean | median | p90 | mean / bdfu serve direct |');
  t.comment('| --- | --- | --- | --- | --- |');
  for (const [name, f] of Object.entries(results)) {
    t.comment(`| ${name} | ${f.mean.toFixed(1)} | ${f.median.toFixed(1)} | ${f.p90.toFixed(1)} | ${(f.mean / directMean).toFixed(1)} |`);
  }
  for (const [mpm, cgi] of [['event', 'mod_cgid'], ['prefork', 'mod_cgi']]) {
    const upload = results[`Apache ${mpm} + ${cgi} (bdfu-cgi.conf)`]!.mean;
    const node = results[`Apache ${mpm} + ${cgi}: Node script that only answers`]!.mean;
    const sh = results[`Apache ${mpm} + ${cgi}: sh script that only answers`]!.mean;
    t.comment(`${mpm}/${cgi}: a bdfu CGI upload takes ${(upload / node).toFixed(2)}× a Node CGI that only answers, ${(upload / sh).toFixed(1)}× a sh one`);
  }
});
