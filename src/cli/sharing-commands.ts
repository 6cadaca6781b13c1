import { Command, InvalidArgumentError, Option } from 'commander';
import type { RequestFilesOptions } from './request-files.js';
import type { ShareOptions } from './share.js';

function count(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) <= 0) throw new InvalidArgumentError(`${name} must be a whole number above 0`);
    return Number(value);
  };
}

const DURATION = 'seconds, or 90m, 12h, 7d, 2w, never';

/** share, shares, unshare, publish, unpublish, request-files: each loads its code only when run. */
export function addSharingCommands(fileCommand: (name: string, description: string) => Command): void {
  fileCommand('share', 'make a counted, revocable link to a file (expiry, download limit, password); prints its URL')
    .argument('<file>', '<user>/<id>')
    .option('--expires-in <duration>', `lifetime of the link: ${DURATION} (default 7d, within SHARE_LINK_MAX_DAYS)`)
    .addOption(new Option('--max-downloads <n>', 'downloads allowed (1: a one-time link)').argParser(count('--max-downloads')))
    .option('--password-stdin', 'protect the link with a password read from standard input')
    .option('--note <text>', 'a note shown on the link’s page')
    .option('--json', 'print the server’s JSON answer')
    .action(async (endpoint: string, token: string, file: string, options: ShareOptions) => {
      const { share } = await import('./share.js');
      await share(endpoint, token, file, options);
    });

  fileCommand('shares', 'list a user’s share links: URL, state, downloads/limit, expiry, last use, file, note')
    .argument('[user]', 'whose links (default: the token’s user)')
    .option('--json', 'print the server’s JSON answer')
    .action(async (endpoint: string, token: string, user: string | undefined, options: { json?: boolean }) => {
      const { shares } = await import('./shares.js');
      await shares(endpoint, token, user, options);
    });

  fileCommand('unshare', 'revoke a share link (or a file request with --request): 410 from now on')
    .argument('<link>', 'the link’s URL or id')
    .option('--user <user>', 'whose link (default: the token’s user)')
    .option('--request', 'the link is a file request (…/r/<id>)')
    .option('--json', 'print the server’s JSON answer')
    .action(async (endpoint: string, token: string, link: string, options: { user?: string; request?: boolean; json?: boolean }) => {
      const { unshare } = await import('./unshare.js');
      await unshare(endpoint, token, link, options);
    });

  fileCommand('publish', 'serve a file without a token at a short link and by name; prints both')
    .argument('<file>', '<user>/<id>')
    .option('--json', 'print the server’s JSON answer')
    .action(async (endpoint: string, token: string, file: string, options: { json?: boolean }) => {
      const { publish } = await import('./publish.js');
      await publish(endpoint, token, file, options);
    });

  fileCommand('unpublish', 'stop serving a file publicly: both links are 404 at once')
    .argument('<file>', '<user>/<id>')
    .option('--json', 'print the server’s JSON answer')
    .action(async (endpoint: string, token: string, file: string, options: { json?: boolean }) => {
      const { unpublish } = await import('./publish.js');
      await unpublish(endpoint, token, file, options);
    });

  fileCommand('request-files', 'make an upload link people without an account can send you files with; prints its URL')
    .option('--expires-in <duration>', `how long it stays open: ${DURATION.replace(', never', '')} (default 7d, within FILE_REQUEST_MAX_DAYS)`)
    .addOption(new Option('--max-files <n>', 'files it accepts (default 10)').argParser(count('--max-files')))
    .addOption(new Option('--max-size <bytes>', 'largest file it accepts (default MAX_UPLOAD_SIZE)').argParser(count('--max-size')))
    .option('--password-stdin', 'ask uploaders for a password read from standard input')
    .option('--note <text>', 'a note shown to uploaders')
    .option('--json', 'print the server’s JSON answer')
    .action(async (endpoint: string, token: string, options: RequestFilesOptions) => {
      const { requestFiles } = await import('./request-files.js');
      await requestFiles(endpoint, token, options);
    });
}
