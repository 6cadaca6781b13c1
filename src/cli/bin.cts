#!/usr/bin/env node
// The npm `bdfu` command (package.json "bin"). CommonJS, so that `bdfu --version` is answered
// before anything else loads: an ES-module entry alone costs ~10 % over `node -e 0`, commander
// much more (docs/performance.md, figure 5). Everything else is dist/cli/main.js, as before.
'use strict';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // src/version.ts holds the same number (a test keeps them equal); this file cannot load an ES module synchronously.
  const { version } = require('../../package.json') as { version: string };
  const line = `bdfu ${version} (node ${process.version})\n`;
  // Straight to descriptor 1: process.stdout would load the stream and socket modules first
  // (~5 % of the start-up, measured). A non-blocking pipe that is full is left to process.stdout.
  try {
    require('node:fs').writeSync(1, line);
  } catch {
    process.stdout.write(line);
  }
} else {
  void import('./main.js');
}
