// Run by cgi-bin/bdfu (CommonJS: cgi-bin/package.json) for every CGI request. Node 20 caches no
// compiled code between processes, and a CGI request is one process: resolving, reading and
// compiling dist/'s ~50 ES modules was most of its time. So it runs dist/cgi/bdfu.cjs, the same
// code bundled into one CommonJS file (scripts/build-cgi.mjs), compiled with the V8 code cache
// that the build made by running one upload (dist/cgi/bdfu.cjs.cache). A cache that does not fit
// this Node is rejected by V8 and the bundle compiles as usual; without a bundle, the ES modules
// of dist/ are imported as before.
'use strict';
import fs = require('node:fs');
import path = require('node:path');
import vm = require('node:vm');
import Module = require('node:module');

interface CgiBundle {
  runCgi(scriptDir?: string): Promise<void>;
}

/** The environment variable that makes this process write the code cache when it exits (the build sets it). */
export const WRITE_CACHE = 'BDFU_CGI_CODE_CACHE_OUT';

const BUNDLE = path.join(__dirname, '..', 'cgi', 'bdfu.cjs');

function readIfThere(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Compiles and evaluates the bundle as `require` would, with the code cache when there is one. */
function loadBundle(source: string): CgiBundle {
  const cacheFile = `${BUNDLE}.cache`;
  const script = new vm.Script(Module.wrap(source), { filename: BUNDLE, cachedData: readIfThere(cacheFile) });
  const wrapper = script.runInThisContext() as (exports: object, req: NodeJS.Require, module: object, filename: string, dirname: string) => void;
  const module = { exports: {} as CgiBundle };
  wrapper.call(module.exports, module.exports, require, module, BUNDLE, path.dirname(BUNDLE));
  const out = process.env[WRITE_CACHE];
  // After the request: the cache then holds every function it compiled, not only the top level.
  if (out) process.once('exit', () => fs.writeFileSync(out, script.createCachedData()));
  return module.exports;
}

/** Serves the one request of this CGI process; `script` is the path the web server ran (bdfu.cfg may sit beside it). */
export function run(script: string | undefined): void {
  const scriptDir = script ? path.dirname(path.resolve(script)) : undefined;
  const source = readIfThere(BUNDLE)?.toString('utf8');
  if (source === undefined) {
    void import('./cgi-entry.js');
    return;
  }
  void loadBundle(source).runCgi(scriptDir);
}
