/**
 * Reads the original bdfu's configuration files: Python assignments of literals,
 * `KEY = 'value'`, one a line. Only literals are accepted (strings, numbers,
 * True/False/None and flat lists of those); anything else names its line.
 */
export type CfgValue = string | number | boolean | null | CfgValue[];

export class CfgSyntaxError extends Error {
  readonly line: number;
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'CfgSyntaxError';
    this.line = line;
  }
}

const ESCAPES: Record<string, string> = {
  '\\': '\\', "'": "'", '"': '"', n: '\n', r: '\r', t: '\t', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v',
};

class Cursor {
  pos = 0;
  constructor(readonly text: string, readonly fail: (message: string) => never) {}

  skipSpace(): void {
    while (this.pos < this.text.length && /[ \t]/.test(this.text[this.pos]!)) this.pos++;
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.text.length || this.text[this.pos] === '#';
  }

  value(inList = false): CfgValue {
    this.skipSpace();
    const rest = this.text.slice(this.pos);
    const quote = /^([rRbBuU]?)(['"])/.exec(rest);
    if (quote) return this.string(quote[1]!.toLowerCase() === 'r', quote[0].length, quote[2]!);
    if (rest.startsWith('[') || rest.startsWith('(')) {
      if (inList) this.fail('lists inside lists are not supported');
      return this.list(rest[0] === '[' ? ']' : ')');
    }
    const word = /^(True|False|None)\b/.exec(rest);
    if (word) {
      this.pos += word[0].length;
      return word[1] === 'True' ? true : word[1] === 'False' ? false : null;
    }
    const number = /^[-+]?(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(\d[\d_]*)?\.?\d[\d_]*([eE][-+]?\d+)?)(?![\w.])/.exec(rest);
    if (number) {
      this.pos += number[0].length;
      const text = number[0].replace(/_/g, '');
      const sign = text.startsWith('-') ? -1 : 1;
      const unsigned = text.replace(/^[-+]/, '');
      const value = /^0[xob]/i.test(unsigned) ? Number(unsigned.toLowerCase()) : Number(unsigned);
      if (!Number.isFinite(value)) this.fail('not a finite number');
      return sign * value;
    }
    // The text is not quoted back: it may be a secret whose quotes were forgotten.
    return this.fail('expected a literal (a quoted string, a number, True, False, None or a list): is a quote missing?');
  }

  private string(raw: boolean, prefixLength: number, quote: string): string {
    this.pos += prefixLength;
    let out = '';
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos++]!;
      if (ch === quote) return out;
      if (ch === '\\' && !raw) {
        const next = this.text[this.pos++];
        if (next === undefined) break;
        const hex = next === 'x' ? /^[0-9a-fA-F]{2}/.exec(this.text.slice(this.pos)) : null;
        if (hex) {
          out += String.fromCharCode(parseInt(hex[0], 16));
          this.pos += 2;
        } else out += ESCAPES[next] ?? '\\' + next;
      } else out += ch;
    }
    return this.fail('unterminated string (strings must open and close on one line)');
  }

  private list(close: string): CfgValue[] {
    this.pos++;
    const items: CfgValue[] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === close) {
        this.pos++;
        return items;
      }
      items.push(this.value(true));
      this.skipSpace();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== close) this.fail(`expected ',' or '${close}' in a list`);
    }
  }
}

export function parseCfg(text: string, file = 'configuration'): Record<string, CfgValue> {
  const result: Record<string, CfgValue> = {};
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, index) => {
    const lineNo = index + 1;
    // Messages name the file, the line and the setting, never the line's text: it may hold a secret.
    let setting = '';
    const fail = (message: string): never => {
      throw new CfgSyntaxError(file, lineNo, setting ? `${setting}: ${message}` : message);
    };
    if (/^\s*(#.*)?$/.test(line)) return;
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)/.exec(line);
    if (!assignment) fail('expected KEY = value (a setting name, =, then a quoted value)');
    setting = assignment![1]!;
    const cursor = new Cursor(line.slice(assignment![0].length), fail);
    const value = cursor.value();
    if (!cursor.atEnd()) fail('unexpected text after the value (only literals are supported, not expressions)');
    result[assignment![1]!] = value;
  });
  return result;
}
