import { writeSync } from 'node:fs';
import { versionLine } from '../version.js';
import { reportAndExit } from './fail.js';

/** `bdfu --version` (or -V) and nothing else: answered as commander would, before anything else loads. */
function isVersionOnly(): boolean {
  return process.argv.length === 3 && (process.argv[2] === '--version' || process.argv[2] === '-V');
}

/**
 * Straight to descriptor 1: process.stdout would load the stream and socket modules first (~5 %
 * of `bdfu --version`, measured). A non-blocking pipe that is full is left to process.stdout.
 */
function printDirectly(line: string): void {
  try {
    writeSync(1, line);
  } catch {
    process.stdout.write(line);
  }
}

/** Run by a web server as a CGI script: serve one request, load nothing of the CLI. */
function isCgi(): boolean {
  return /^CGI\//i.test(process.env.GATEWAY_INTERFACE ?? '') && process.argv.length <= 2;
}

/**
 * The one start of bdfu, for the npm package and the single executable alike.
 * `programDir` is where a CGI looks for bdfu.cfg / bdfu.json when BDFU_SETTINGS is unset.
 * Everything else is imported lazily, so a CGI request never evaluates the CLI's code.
 */
export async function start(programDir: string | undefined): Promise<void> {
  try {
    if (isVersionOnly()) {
      printDirectly(`${versionLine()}\n`);
    } else if (isCgi()) {
      const { runCgi } = await import('../adapters/cgi-main.js');
      await runCgi(programDir);
    } else {
      const { runCli } = await import('./program.js');
      await runCli(process.argv);
    }
  } catch (error) {
    reportAndExit(error);
  }
}
