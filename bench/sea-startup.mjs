#!/usr/bin/env node
// Start-up of the single executable against Node's own floor, with V8's code cache on and off.
//   node bench/sea-startup.mjs [--runs N]
// Every variant runs N times, interleaved (so machine noise hits all alike); medians and their
// ratio to `node -e 0` are printed. Builds its own executables in a temp dir; dist/ is untouched.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundle } from '../scripts/sea/bundle.mjs';
import { buildExecutable, hostArch } from '../scripts/sea/executable.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CACHE = join(ROOT, 'node_modules', '.cache', 'bdfu-sea');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '40' } } });
const runs = Number(values.runs);

const work = mkdtempSync(join(tmpdir(), 'bdfu-bench-sea-'));
const arch = hostArch();
const exe = (name) => join(work, name);

async function setUp() {
  await bundle(join(work, 'bdfu.cjs'));
  writeFileSync(join(work, 'noop.cjs'), '0;\n');
  await buildExecutable({ arch, main: join(work, 'bdfu.cjs'), out: exe('bdfu-cache'), codeCache: true, cacheDir: CACHE });
  await buildExecutable({ arch, main: join(work, 'bdfu.cjs'), out: exe('bdfu-plain'), codeCache: false, cacheDir: CACHE });
  await buildExecutable({ arch, main: join(work, 'noop.cjs'), out: exe('noop'), codeCache: false, cacheDir: CACHE });
  const cgiBin = join(work, 'cgi-bin');
  mkdirSync(cgiBin);
  copyFileSync(exe('bdfu-cache'), join(cgiBin, 'cache.cgi'));
  copyFileSync(exe('bdfu-plain'), join(cgiBin, 'plain.cgi'));
  const secret = randomBytes(24).toString('hex');
  writeFileSync(join(cgiBin, 'bdfu.cfg'), `JWT_SECRET_KEY = '${secret}'\nSTORAGE_DIR = '${join(work, 'storage')}'\n`);
  const token = spawnSync(exe('bdfu-cache'), ['gen-token', '--expires-in', '3600', 'bench', secret], { encoding: 'utf8' }).stdout.trim();
  return { cgiBin, token, settings: join(cgiBin, 'bdfu.cfg') };
}

function cgiRequest(program, method, extraEnv = {}) {
  const env = {
    GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: method, PATH_INFO: '/upload', SCRIPT_NAME: '/cgi-bin/bdfu.cgi',
    SERVER_NAME: '127.0.0.1', SERVER_PORT: '80', SERVER_PROTOCOL: 'HTTP/1.1', REMOTE_ADDR: '127.0.0.1', ...extraEnv,
  };
  return { command: program, args: [], env, expect: /^Status: 405/ };
}

function cgiUpload(program, token, extraEnv = {}) {
  const boundary = 'benchboundary';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="f.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    randomBytes(1024),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const env = {
    GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: 'POST', PATH_INFO: '/upload', SCRIPT_NAME: '/cgi-bin/bdfu.cgi',
    SERVER_NAME: '127.0.0.1', SERVER_PORT: '80', SERVER_PROTOCOL: 'HTTP/1.1', REMOTE_ADDR: '127.0.0.1',
    CONTENT_TYPE: `multipart/form-data; boundary=${boundary}`, CONTENT_LENGTH: String(body.length),
    HTTP_AUTHORIZATION: `Bearer ${token}`, ...extraEnv,
  };
  return { command: program, args: [], env, input: body, expect: /^Status: 201/ };
}

function time({ command, args, env, input, expect }) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { env: env ?? {}, input, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0 || (expect && !expect.test(result.stdout))) {
    throw new Error(`${command} ${args.join(' ')}: exit ${result.status}\n${result.stdout}${result.stderr}`);
  }
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

try {
  const { cgiBin, token, settings } = await setUp();
  const variants = {
    'node -e 0': { command: process.execPath, args: ['-e', '0'] },
    'SEA no-op (empty main)': { command: exe('noop'), args: [] },
    'bdfu --version, code cache on': { command: exe('bdfu-cache'), args: ['--version'], expect: /^bdfu / },
    'bdfu --version, code cache off': { command: exe('bdfu-plain'), args: ['--version'], expect: /^bdfu / },
    'CGI upload 1 KiB, code cache on': cgiUpload(join(cgiBin, 'cache.cgi'), token),
    'CGI upload 1 KiB, code cache off': cgiUpload(join(cgiBin, 'plain.cgi'), token),
    'CGI GET upload (405: settings, app, no upload)': cgiRequest(join(cgiBin, 'cache.cgi'), 'GET'),
    'CGI upload 1 KiB, cgi-bin/bdfu (node + dist/)': cgiUpload(join(ROOT, 'cgi-bin/bdfu'), token, { PATH: process.env.PATH, BDFU_SETTINGS: settings }),
    'node dist/cli/main.js --version (npm package)': { command: process.execPath, args: [join(ROOT, 'dist/cli/main.js'), '--version'], expect: /^bdfu / },
  };
  const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  for (const variant of Object.values(variants)) time(variant); // warm the page cache
  for (let i = 0; i < runs; i++) {
    for (const [name, variant] of Object.entries(variants)) samples[name].push(time(variant));
  }
  const floor = median(samples['node -e 0']);
  process.stdout.write(`${runs} runs each, interleaved; median ms and ratio to node -e 0 (node ${process.version}, ${arch})\n`);
  for (const [name, xs] of Object.entries(samples)) {
    const m = median(xs);
    process.stdout.write(`${name.padEnd(48)} ${m.toFixed(1).padStart(7)} ms  ${(m / floor).toFixed(2)}×\n`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
