import { reportAndExit } from './fail.js';

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
    if (isCgi()) {
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
