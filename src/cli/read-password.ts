import { CliError } from './fail.js';

/** The password piped in (`--password-stdin`): the first line, without its line break. */
export async function passwordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (password === '') throw new CliError('--password-stdin: nothing came on standard input');
  return password;
}

/** Asks on the terminal with echo off (typed characters are not shown). */
export function passwordFromTerminal(prompt: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) throw new CliError('no terminal to ask for the password on: use --password-stdin');
  // Echo off before the prompt shows: what is typed once it is there is never on the screen.
  input.setRawMode(true);
  process.stderr.write(prompt);
  input.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return done();
        if (char === '\u0003' || char === '\u0004') return done(new CliError('cancelled'));
        if (char === '\u007f' || char === '\b') typed = [...typed].slice(0, -1).join('');
        else typed += char;
      }
    };
    input.on('data', onData);
  });
}

/** A new password: from standard input, or typed twice on the terminal. */
export async function newPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin) return passwordFromStdin();
  const first = await passwordFromTerminal('New password: ');
  const again = await passwordFromTerminal('The same again: ');
  if (first !== again) throw new CliError('the two passwords differ; nothing changed');
  return first;
}
