/** A failure the CLI reports as one line on stderr and a non-zero exit, never a stack trace. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}

export function reportAndExit(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`bdfu: ${message.split('\n')[0]}\n`);
  process.exit(error instanceof CliError ? error.exitCode : 1);
}
