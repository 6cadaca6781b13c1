// npm run bench: every figure of docs/performance.md, each against a baseline measured in the same run.
import { cpus, loadavg } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Workspace } from './lib/bdfu.js';
import { parseOptions } from './lib/options.js';
import { ROOT } from './lib/processes.js';
import { progress, sizeLabel } from './lib/progress.js';
import { markdownTable, textTable, type Row } from './lib/report.js';
import { largeUpload } from './measures/large-upload.js';
import { smallUploads } from './measures/small-uploads.js';
import { cgi } from './measures/cgi.js';
import { startup } from './measures/startup.js';
import { download } from './measures/download.js';
import { apacheCgi } from './measures/apache-cgi.js';
import { s3 } from './measures/s3.js';
import { tus } from './measures/tus.js';

function cpuModel(): string {
  const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
  return match?.[1] ?? cpus()[0]?.model ?? 'unknown';
}

const loads = () => loadavg().map((n) => n.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env);
  const machine = { nproc: cpus().length, cpu: cpuModel(), node: process.version, loadBefore: loads(), loadAfter: '' };
  const started = new Date();
  progress(`${sizeLabel(options.size)}, ${options.runs} runs, ${options.spawns} spawns; load average ${machine.loadBefore}`);
  const ws = new Workspace();
  const rows: Row[] = [];
  try {
    if (options.only.has('upload') || options.only.has('memory')) rows.push(...(await largeUpload(ws, options)));
    if (options.only.has('small')) rows.push(...(await smallUploads(ws, options)));
    if (options.only.has('cgi')) rows.push(...(await cgi(ws, options)));
    if (options.only.has('apache')) rows.push(...(await apacheCgi(ws, options)));
    if (options.only.has('startup')) rows.push(...(await startup(options)));
    if (options.only.has('download')) rows.push(...(await download(ws, options)));
    if (options.only.has('tus')) rows.push(...(await tus(ws, options)));
    if (options.only.has('s3')) rows.push(...(await s3(ws, options)));
  } finally {
    ws.remove();
  }
  machine.loadAfter = loads();
  const results = {
    date: started.toISOString(),
    machine,
    options: { ...options, only: [...options.only] },
    rows,
    markdown: markdownTable(rows),
  };
  const out = options.out ?? join(ROOT, 'bench/results.json');
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  console.log(textTable(rows));
  console.log(`\n${machine.nproc} × ${machine.cpu}, Node ${machine.node}, ${started.toISOString()}; load average before ${machine.loadBefore}, after ${machine.loadAfter}`);
  const shown = relative(process.cwd(), out);
  console.log(`written to ${shown.startsWith('..') ? out : shown}`);
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
