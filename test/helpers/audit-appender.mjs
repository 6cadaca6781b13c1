// A separate process appending audit entries, as concurrent CGI requests do.
// node audit-appender.mjs STORAGE_DIR TAG COUNT [STOP_FILE]
// Appends COUNT entries named TAG-<n>, with names of varying length (up to 64 KiB, well past
// PIPE_BUF); or, with STOP_FILE, short entries every millisecond or so until that file exists.
// Prints how many it wrote.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../../dist/audit/append.js', import.meta.url));
const { appendEntry } = await import(dist);
const [storageDir, tag, count, stopFile] = process.argv.slice(2);
let n = 0;
while (stopFile ? !existsSync(stopFile) : n < Number(count)) {
  const padding = 'x'.repeat((n * 7919) % (stopFile ? 200 : 65536));
  if (stopFile) await new Promise((resolve) => setTimeout(resolve, 1));
  await appendEntry(storageDir, {
    time: new Date().toISOString(), user: tag, address: '127.0.0.1', action: 'upload', outcome: 'ok',
    id: `${tag}-${n}`, name: padding, bytes: padding.length,
  });
  n++;
}
process.stdout.write(`${n}\n`);
