import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import t from 'tap';
import { ROOT } from '../helpers/paths.js';

/** Every src/ module a module loads statically (`import … from`, not `await import()`). */
function staticGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/^(?:import|export)\s(?!type\b)[^;]*?from\s+'(\.[^']+)\.js'/gm)) {
      visit(resolve(dirname(file), `${match[1]}.ts`));
    }
  };
  visit(join(ROOT, entry));
  return new Set([...seen].map((file) => relative(join(ROOT, 'src'), file)));
}

t.test('an upload (what every CGI upload request loads) does not load the download code', async (t) => {
  const loaded = staticGraph('src/routes/upload.ts');
  t.ok(loaded.has('routes/receive-file.ts'), 'the walk follows imports');
  for (const module of ['routes/files-get.ts', 'routes/file-response.ts', 'routes/files-list.ts', 'routes/files-delete.ts', 'routes/share.ts',
    'http/range.ts', 'http/conditional.ts', 'http/content-disposition.ts', 'cdn/cloudfront.ts', 'auth/signed-link.ts']) {
    t.notOk(loaded.has(module), `not ${module}`);
  }
  const core = staticGraph('src/assembly/app.ts');
  t.notOk([...core].some((m) => m.startsWith('routes/files') || m === 'routes/share.ts' || m.startsWith('cdn/')), 'the app loads routes only lazily');
});

t.test('the web page and most of the audit code load only when asked for', async (t) => {
  const upload = new Set([...staticGraph('src/assembly/app.ts'), ...staticGraph('src/routes/upload.ts'), ...staticGraph('src/adapters/cgi-main.ts')]);
  t.ok(upload.has('audit/append.ts'), 'the audit writer is on the upload path (it writes the line)');
  for (const module of ['ui/assets.generated.ts', 'routes/ui.ts', 'routes/audit.ts', 'audit/anonymize.ts', 'audit/query.ts', 'audit/auto.ts']) {
    t.notOk(upload.has(module), `not ${module}`);
  }
  // rate-bound and rotate: every refused request is counted, every append may rotate (security review, issue 12).
  t.same([...upload].filter((m) => m.startsWith('audit/')).sort(),
    ['audit/append.ts', 'audit/disk-sink.ts', 'audit/entry.ts', 'audit/rate-bound.ts', 'audit/record.ts', 'audit/rotate.ts'], 'six small audit modules');
});

// text/ holds leaf constants (no imports) that every layer may share.
t.test('core/ imports nothing above it', async (t) => {
  for (const entry of ['src/core/app.ts', 'src/core/router.ts', 'src/core/respond.ts', 'src/core/types.ts', 'src/core/audit-facts.ts']) {
    const outside = [...staticGraph(entry)].filter((m) => !m.startsWith('core/') && !m.startsWith('text/'));
    t.same(outside, [], `${entry} loads only core/`);
  }
});

t.test('storage/ knows no HTTP', async (t) => {
  for (const entry of ['src/storage/disk/backend.ts', 'src/storage/fs-store.ts', 'src/storage/disk/sessions.ts']) {
    const http = [...staticGraph(entry)].filter((m) => m.startsWith('core/') || m.startsWith('routes/') || m.startsWith('http/'));
    t.same(http, [], `${entry} loads nothing of core/, routes/ or http/`);
  }
});

t.test('a CGI upload does not load node:http (its reason phrases are in http/status-text.ts)', async (t) => {
  const upload = new Set([...staticGraph('src/assembly/app.ts'), ...staticGraph('src/routes/upload.ts'), ...staticGraph('src/adapters/cgi-main.ts')]);
  const importers = [...upload].filter((m) => /^import\s(?!type\b)[^;]*?from\s+'node:http'/m.test(readFileSync(join(ROOT, 'src', m), 'utf8')));
  t.same(importers, [], 'no module of the CGI upload path imports node:http');
});
