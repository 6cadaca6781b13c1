/**
 * Where a JSON text stops parsing, said without quoting any of it: JSON.parse's own message
 * quotes the text around the error, and that text may be a secret.
 */
export function jsonErrorPlace(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  const at = /position (\d+)/.exec(message);
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  let offset: number | undefined = at ? Number(at[1]) : undefined;
  if (offset === undefined && lineColumn) {
    const lines = text.split('\n');
    offset = lines.slice(0, Number(lineColumn[1]) - 1).reduce((sum, line) => sum + line.length + 1, 0) + Number(lineColumn[2]) - 1;
  }
  if (offset === undefined) offset = text.length;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  // The last key before the error: the setting whose value (or quotes) is broken.
  const keys = [...before.matchAll(/"([A-Za-z_][A-Za-z0-9_]*)"\s*:/g)];
  const setting = keys.at(-1)?.[1];
  return `not valid JSON at line ${line}${setting ? `, in or after the setting ${setting}` : ''} (the text is not shown: it may hold a secret)`;
}
