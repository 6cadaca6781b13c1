import { createHash } from 'node:crypto';
import type { CoreResponse } from '../../core/types.js';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
:root{color-scheme:light dark;font-family:system-ui,sans-serif}
body{margin:0;padding:1rem;display:flex;justify-content:center}
main{width:100%;max-width:40rem}
h1{font-size:1.3rem;overflow-wrap:anywhere;margin:.2rem 0 .8rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem .8rem;margin:0 0 1rem}
dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
.note{white-space:pre-wrap;overflow-wrap:anywhere;border-left:3px solid #888;padding:.2rem .6rem;margin:0 0 1rem}
.button,button{display:inline-block;font:inherit;font-size:1.05rem;padding:.6rem 1.2rem;border-radius:.4rem;border:0;background:#1f5fbf;color:#fff;text-decoration:none;cursor:pointer}
input{font:inherit;padding:.45rem;max-width:100%;box-sizing:border-box}
label{display:block;margin:.6rem 0 .2rem}
.preview{margin:1rem 0}.preview img,.preview video{max-width:100%;max-height:60vh}.preview audio{width:100%}
.preview iframe{width:100%;height:60vh;border:1px solid #888}
.qr{width:9rem;height:9rem;display:block;margin:1rem 0}
.gone{font-size:1.1rem}.error{color:#b00020;font-weight:600}
`;

/** The pages allow their one style sheet, same-origin media for previews and forms back to us; no script at all. */
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "img-src 'self'", "media-src 'self'", "frame-src 'self'",
  "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'",
].join('; ');

/** A whole page; `title` is escaped here, `body` is markup its caller escaped. */
export function htmlPage(status: number, title: string, body: string, headers: Record<string, string> = {}): CoreResponse {
  const referrer = headers['referrer-policy'] ?? 'no-referrer';
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="${escapeHtml(referrer)}"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>
`;
  return {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-length': String(Buffer.byteLength(html)),
      'content-security-policy': PAGE_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'cache-control': 'no-store',
      ...headers,
    },
    body: html,
  };
}

export function humanSize(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}
