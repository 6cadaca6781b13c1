import type { Summary } from './stats.js';

export interface Target {
  /** What the target bounds: the ratio bdfu/baseline, or bdfu's own figure. */
  of: 'ratio' | 'value';
  op: '>=' | '<=';
  limit: number;
}

export interface Row {
  figure: string;
  unit: string;
  /** Absent when the figure could not be measured here (the note says why). */
  bdfu?: Summary;
  baselineLabel?: string;
  baseline?: Summary;
  /** median(bdfu) / median(baseline). */
  ratio?: number;
  target?: Target;
  pass?: boolean;
  note?: string;
}

export function row(fields: Omit<Row, 'ratio' | 'pass'>): Row {
  const ratio = fields.bdfu && fields.baseline ? fields.bdfu.median / fields.baseline.median : undefined;
  let pass: boolean | undefined;
  if (fields.target) {
    const value = fields.target.of === 'ratio' ? ratio : fields.bdfu?.median;
    if (value !== undefined) pass = fields.target.op === '>=' ? value >= fields.target.limit : value <= fields.target.limit;
  }
  return { ...fields, ratio, pass };
}

const number = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

function figure(summary: Summary | undefined, unit: string): string {
  if (!summary) return '';
  const spread = summary.samples.length > 1 ? ` (${number(summary.min)}–${number(summary.max)})` : '';
  return `${number(summary.median)} ${unit}${spread}`;
}

function target(t: Target | undefined, unit: string): string {
  if (!t) return '';
  return t.of === 'ratio' ? `ratio ${t.op === '>=' ? '≥' : '≤'} ${t.limit}` : `${t.op === '>=' ? '≥' : '≤'} ${t.limit} ${unit}`;
}

export function tableRows(rows: readonly Row[]): string[][] {
  return rows.map((r) => [
    r.note ? `${r.figure} (${r.note})` : r.figure,
    r.bdfu ? figure(r.bdfu, r.unit) : 'not measured',
    r.baseline ? `${figure(r.baseline, r.unit)}${r.baselineLabel ? ` [${r.baselineLabel}]` : ''}` : '',
    r.ratio === undefined ? '' : r.ratio.toFixed(2),
    target(r.target, r.unit),
    r.pass === undefined ? (r.target ? 'n/a' : '—') : r.pass ? 'pass' : 'FAIL',
  ]);
}

export const HEADER = ['figure', 'bdfu: median (min–max)', 'baseline: median (min–max)', 'ratio', 'target', 'result'];

/** A plain-text table for the terminal. */
export function textTable(rows: readonly Row[]): string {
  const cells = [HEADER, ...tableRows(rows)];
  const widths = HEADER.map((_, i) => Math.max(...cells.map((c) => [...c[i]!].length)));
  const line = (c: string[]) => c.map((cell, i) => cell + ' '.repeat(widths[i]! - [...cell].length)).join('  ').trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** The same table in Markdown, for docs/performance.md. */
export function markdownTable(rows: readonly Row[]): string {
  const line = (c: string[]) => `| ${c.map((s) => s.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(HEADER), line(HEADER.map(() => '---')), ...tableRows(rows).map(line)].join('\n');
}
