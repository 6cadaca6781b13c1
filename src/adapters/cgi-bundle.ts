// What scripts/build-cgi.mjs bundles into dist/cgi/bdfu.cjs: the CGI start as one CommonJS file,
// which cgi-bin/bdfu runs through cgi-load.cts with V8's code cache. (esbuild keeps every
// `await import()` lazy, so a request still evaluates only the modules it needs.)
export { runCgi } from './cgi-main.js';
