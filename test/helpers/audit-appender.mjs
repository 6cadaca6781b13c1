// A separate process appending audit entries, as concurrent CGI requests do.
// node audit-appender.mjs STORAGE_DIR TAG COUNT [STOP_FILE]
// Appends COUNT entries named TAG-<n>, with names of varying length (up to 64 KiB, well past
// PIPE_BUF); or, with STOP_FILE, short entries every millisecond or so until that file exists.
// Prints how many it wrote. Through DiskAuditSink; without STOP_FILE four appends at a time,
// as a busy `bdfu serve` makes them.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../../dist/audit/disk-sink.js', import.meta.url));
const { DiskAuditSink } = await import(dist);
const [storageDir, tag, count, stopFile] = process.argv.slice(2);
const sink = new DiskAuditSink(storageDir);
const AT_ONCE = 4;
let n = 0;
const appendOne = (i) => {
  const padding = 'x'.repeat((i * 7919) % (stopFile ? 200 : 65536));
  return sink.append({
    time: new Date().toISOString(), user: tag, address: '127.0.0.1', action: 'upload', outcome: 'ok',
    id: `${tag}-${i}`, name: padding, bytes: padding.length,
  });
};
while (stopFile ? !existsSync(stopFile) : n < Number(count)) {
  if (stopFile) await new Promise((resolve) => setTimeout(resolve, 1));
  // With STOP_FILE (the anonymizer's race), one at a time: the test checks each appender's order.
  const batch = stopFile ? 1 : Math.min(AT_ONCE, Number(count) - n);
  await Promise.all(Array.from({ length: batch }, (_, k) => appendOne(n + k)));
  n += batch;
}
process.stdout.write(`${n}\n`);
