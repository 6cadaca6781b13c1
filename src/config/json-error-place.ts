/** Where JSON.parse says it stopped, as an offset; undefined when its message does not say. */
function statedOffset(text: string, message: string): number | undefined {
  const at = /position (\d+)/.exec(message);
  if (at) return Number(at[1]);
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (!lineColumn) return undefined;
  const lines = text.split('\n').slice(0, Number(lineColumn[1]) - 1);
  return lines.reduce((sum, line) => sum + line.length + 1, 0) + Number(lineColumn[2]) - 1;
}

/** Whether the first `length` characters already hold an error (rather than merely ending early). */
function failsWithin(text: string, length: number): boolean {
  const prefix = text.slice(0, length);
  try {
    JSON.parse(prefix);
    return false;
  } catch (error) {
    const message = (error as Error).message;
    if (/Unexpected end of JSON input/.test(message)) return false;
    const offset = statedOffset(prefix, message);
    return offset === undefined || offset < length;
  }
}

/** The offset of the character JSON parsing fails on: the shortest prefix that already fails. */
function errorOffset(text: string): number {
  let low = 0;
  let high = text.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (failsWithin(text, middle)) high = middle;
    else low = middle + 1;
  }
  return Math.max(0, low - 1);
}

/**
 * Where a JSON text stops parsing, said without quoting any of it: JSON.parse's own message
 * quotes the text around the error, and that text may be a secret.
 */
export function jsonErrorPlace(text: string): string {
  const offset = errorOffset(text);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  // The last key before the error: the setting whose value (or quotes) is broken.
  const setting = [...before.matchAll(/"([A-Za-z_][A-Za-z0-9_]*)"\s*:/g)].at(-1)?.[1];
  return `not valid JSON at line ${line}${setting ? `, in or after the setting ${setting}` : ''} (the text is not shown: it may hold a secret)`;
}
