// A separate process writing to storage, as concurrent CGI requests and other instances do.
// node storage-worker.mjs '<json spec>'; the spec names the COMPILED module that makes the
// storage (so run `npm run build` first) and the task:
//   { "target": { "module": "/abs/dist/….js", "export": "Name", "args": [...], "construct": true },
//     "task": "increment", "collection": "c", "key": "k", "times": 50, "go": "/path" }
//   { ..., "task": "conditional-put", "user": "u", "path": "/p", "ifMatch": ["etag"], "body": "…", "go": "/path" }
// Prints "ready" once the storage is open, waits until the file `go` exists (so that every
// worker starts at once), does the task and prints one JSON line with the outcome.
import { existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';

const spec = JSON.parse(process.argv[2]);
const module = await import(pathToFileURL(spec.target.module).href);
const make = module[spec.target.export];
if (typeof make !== 'function') throw new Error(`${spec.target.module} exports no ${spec.target.export}`);
const storage = spec.target.construct ? new make(...spec.target.args) : await make(...spec.target.args);

process.stdout.write('ready\n');
while (!existsSync(spec.go)) await new Promise((resolve) => setTimeout(resolve, 2));

let outcome;
if (spec.task === 'increment') {
  let last;
  for (let i = 0; i < spec.times; i++) last = await storage.update(spec.collection, spec.key, (n) => (n ?? 0) + 1);
  outcome = { last };
} else if (spec.task === 'conditional-put') {
  try {
    const { info } = await storage.put(spec.user, spec.path, Readable.from([Buffer.from(spec.body)]), {
      contentType: 'text/plain', precondition: { ifMatch: spec.ifMatch }, quota: { bytes: 0, files: 0 }, maxBytes: 0,
    });
    outcome = { won: true, etag: info.etag };
  } catch (error) {
    outcome = { won: false, kind: error.kind ?? String(error) };
  }
} else {
  throw new Error(`unknown task ${spec.task}`);
}
await storage.close?.();
process.stdout.write(`${JSON.stringify(outcome)}\n`);
process.exit(0);
