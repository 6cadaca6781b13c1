import { Command, InvalidArgumentError, Option } from 'commander';
import { versionLine } from '../version.js';
import { reportAndExit } from './fail.js';
import type { GenTokenOptions } from './gen-token.js';
import { addSharingCommands } from './sharing-commands.js';
import type { UploadOptions } from './upload.js';

function positiveInteger(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) <= 0) throw new InvalidArgumentError(`${name} must be a whole number above 0`);
    return Number(value);
  };
}

function wholeNumber(name: string) {
  return (value: string): number => {
    if (!/^\d{1,15}$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number (0 or more)`);
    return Number(value);
  };
}

function port(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('the port must be a number from 0 to 65535');
  return Number(value);
}

export function buildProgram(): Command {
  const program = new Command('bdfu')
    .description('A brain-dead-simple file upload server: upload with a token, get an id back.')
    .version(versionLine(), '-V, --version')
    .showHelpAfterError('(run bdfu --help for usage)');

  program
    .command('serve')
    .alias('server')
    .description('run the HTTP server (no configuration: an embedded default in ./bdfu-data)')
    .argument('[configuration]', 'a .cfg or .json settings file (default: $BDFU_SETTINGS)')
    .option('--ip <addr>', 'address to listen on (default 127.0.0.1)')
    .addOption(new Option('--port <port>', 'port to listen on (default 8080)').argParser(port))
    .action(async (configuration: string | undefined, options: { ip?: string; port?: number }) => {
      const { serve } = await import('./serve.js');
      await serve(configuration, options);
    });

  program
    .command('gen-token')
    .description('make a token for a user, signed with the server secret (or a private key)')
    .argument('<username>', 'the user the token uploads as')
    .argument('[secret]', 'the server’s JWT_SECRET_KEY (not with --key)')
    .addOption(new Option('--expires-in <seconds>', 'lifetime of the token').default(60).argParser(positiveInteger('--expires-in')))
    .option('--scope <scopes>', 'space-separated: upload read delete admin (none: upload only, as the original)')
    .option('--key <private.pem>', 'sign with this private key (RSA: RS256, P-256: ES256, Ed25519: EdDSA) instead of a secret')
    .option('--kid <id>', 'the key id to put in the token (the server’s name for the public key)')
    .addOption(new Option('--max-size <bytes>', 'the largest upload the token may make').argParser(positiveInteger('--max-size')))
    .action(async (username: string, secret: string | undefined, options: GenTokenOptions) => {
      const { genToken } = await import('./gen-token.js');
      await genToken(username, secret, options);
    });

  program
    .command('upload')
    .description('upload a file; prints its id')
    .argument('<endpoint>', 'the server’s URL, e.g. http://localhost:8080/')
    .argument('<token>', 'a token from bdfu gen-token')
    .argument('<file>', 'the file to upload')
    .option('--json', 'print the server’s whole JSON answer')
    .addOption(new Option('--tus-threshold <bytes>', 'files of at least this size go by tus (resumable); 0: every file').default(64 * 1024 * 1024).argParser(wholeNumber('--tus-threshold')))
    .addOption(new Option('--chunk-size <bytes>', 'tus: bytes per PATCH request (0: the rest of the file in one)').default(0).argParser(wholeNumber('--chunk-size')))
    .option('--resume', 'tus: continue the upload an earlier run started for this file (same path, size and time)')
    .addOption(new Option('--retries <n>', 'tus: attempts in a row that may fail (dropped connection, server busy) before giving up').default(8).argParser(wholeNumber('--retries')))
    .option('--expires-in <duration>', 'delete the file after this long: seconds, or 90m, 12h, 7d, 2w, never (within RETENTION_DAYS_MAX)')
    .action(async (endpoint: string, token: string, file: string, options: UploadOptions) => {
      const { upload } = await import('./upload.js');
      await upload(endpoint, token, file, options);
    });

  const logs = program
    .command('logs')
    .description('show the audit trail: who uploaded, downloaded, deleted, shared, and what was refused')
    .argument('[configuration]', 'a .cfg or .json settings file (default: $BDFU_SETTINGS)')
    .option('--user <user>', 'only this user’s entries')
    .option('--since <when>', 'only entries since a duration ago (7d, 12h, 30m) or a date (2026-11-01)')
    .option('--action <action>', 'only this action (upload, download, delete, share, ...)')
    .option('--json', 'one JSON entry a line')
    .action(async (configuration: string | undefined, options: { user?: string; since?: string; action?: string; json?: boolean }) => {
      const { showLogs } = await import('./logs.js');
      await showLogs(configuration, options);
    });
  logs
    .command('anonymize')
    .description('remove user and address from entries older than a duration, keeping the entries')
    .argument('[configuration]', 'a .cfg or .json settings file (default: $BDFU_SETTINGS)')
    .requiredOption('--older-than <duration>', 'e.g. 30d, 12h, 2w')
    .action(async (configuration: string | undefined, options: { olderThan: string }) => {
      const { anonymizeLogs } = await import('./logs.js');
      await anonymizeLogs(configuration, options);
    });

  const users = program
    .command('users')
    .description('accounts people sign in to on the web page (POST {endpoint}sign-in): add, passwd, rm, list');
  const configurationArgument = ['[configuration]', 'a .cfg or .json settings file (default: $BDFU_SETTINGS)'] as const;
  users
    .command('add')
    .description('add an account; the password is asked twice on the terminal (not shown), or read from stdin')
    .argument('<name>', 'the user name (as in tokens and STORAGE_DIR/<user>)')
    .argument(...configurationArgument)
    .option('--scope <scopes>', 'what its sign-in tokens may do: upload read delete admin', 'upload read delete')
    .option('--password-stdin', 'read the password from the first line of standard input')
    .option('--json', 'print the account as JSON')
    .action(async (name: string, configuration: string | undefined, options: { scope: string; passwordStdin?: boolean; json?: boolean }) => {
      const { usersAdd } = await import('./users.js');
      await usersAdd(name, { ...options, configuration });
    });
  users
    .command('passwd')
    .description('change the password of an account')
    .argument('<name>')
    .argument(...configurationArgument)
    .option('--password-stdin', 'read the password from the first line of standard input')
    .action(async (name: string, configuration: string | undefined, options: { passwordStdin?: boolean }) => {
      const { usersPasswd } = await import('./users.js');
      await usersPasswd(name, { ...options, configuration });
    });
  users
    .command('rm')
    .description('remove an account (its files stay)')
    .argument('<name>')
    .argument(...configurationArgument)
    .action(async (name: string, configuration: string | undefined) => {
      const { usersRemove } = await import('./users.js');
      await usersRemove(name, { configuration });
    });
  users
    .command('list')
    .description('the accounts: name, scopes, when added')
    .argument(...configurationArgument)
    .option('--json', 'as JSON')
    .action(async (configuration: string | undefined, options: { json?: boolean }) => {
      const { usersList } = await import('./users.js');
      await usersList({ ...options, configuration });
    });

  program
    .command('history')
    .description("a remoteStorage document's versions, newest first: version, time, size, ETag, which app")
    .argument('<user>')
    .argument('<path>', 'the document, e.g. /notes/today.md')
    .argument(...configurationArgument)
    .option('--json', 'as JSON')
    .action(async (user: string, path: string, configuration: string | undefined, options: { json?: boolean }) => {
      const { showHistory } = await import('./history.js');
      await showHistory(user, path, { ...options, configuration });
    });
  program
    .command('restore')
    .description('make an earlier version the current one again (a new write: apps see the document change)')
    .argument('<user>')
    .argument('<path>', 'the document, e.g. /notes/today.md')
    .argument('<version>', 'from bdfu history')
    .argument(...configurationArgument)
    .option('--json', 'as JSON')
    .action(async (user: string, path: string, version: string, configuration: string | undefined, options: { json?: boolean }) => {
      const { restoreVersion } = await import('./history.js');
      await restoreVersion(user, path, version, { ...options, configuration });
    });

  const fileCommand = (name: string, description: string) =>
    program
      .command(name)
      .description(description)
      .argument('<endpoint>', 'the server’s URL, e.g. http://localhost:8080/')
      .argument('<token>', 'a token from bdfu gen-token (with the needed --scope)');

  fileCommand('download', 'download a file (to stdout, or resume into -o FILE)')
    .argument('<file>', '<user>/<id>')
    .option('-o, --output <file>', 'write here; a partial file is resumed')
    .option('--json', 'print what was saved as JSON (needs -o)')
    .action(async (endpoint: string, token: string, file: string, options: { output?: string; json?: boolean }) => {
      const { download } = await import('./download.js');
      await download(endpoint, token, file, options);
    });

  fileCommand('ls', 'list a user’s files, newest first: id, size, upload time, name')
    .argument('[user]', 'whose files (default: the token’s user)')
    .option('--json', 'print the server’s JSON answer')
    .action(async (endpoint: string, token: string, user: string | undefined, options: { json?: boolean }) => {
      const { ls } = await import('./ls.js');
      await ls(endpoint, token, user, options);
    });

  fileCommand('rm', 'delete a file')
    .argument('<file>', '<user>/<id>')
    .option('--json', 'print the result as JSON')
    .action(async (endpoint: string, token: string, file: string, options: { json?: boolean }) => {
      const { rm } = await import('./rm.js');
      await rm(endpoint, token, file, options);
    });

  fileCommand('sign-url', 'make a link anyone can download the file with until it expires')
    .argument('<file>', '<user>/<id>')
    .addOption(new Option('--expires-in <seconds>', 'lifetime of the link').default(3600).argParser(positiveInteger('--expires-in')))
    .option('--json', 'print the server’s JSON answer (url, expires)')
    .action(async (endpoint: string, token: string, file: string, options: { expiresIn: number; json?: boolean }) => {
      const { signUrl } = await import('./sign-url.js');
      await signUrl(endpoint, token, file, options);
    });

  addSharingCommands(fileCommand);
  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    reportAndExit(error);
  }
}
