import type { CoreResponse } from '../../core/types.js';
import type { FileRecord } from '../../storage/store.js';
import { escapeHtml, htmlPage, humanSize } from './html.js';
import type { PreviewKind } from './preview.js';
import { qrSvg } from './qr.js';

export interface FilePageFacts {
  record: FileRecord;
  /** The link itself (what the QR code holds). */
  url: string;
  /** null: never. */
  expires: string | null;
  /** null: no limit. */
  downloadsLeft: number | null;
  note?: string;
  /** Shown when the link has no password and no download limit (a preview would use one up). */
  preview?: PreviewKind;
  /** The link asks for a password: the download button is a form that posts it. */
  password?: { error?: string };
}

function previewMarkup(kind: PreviewKind, src: string): string {
  switch (kind) {
    case 'image': return `<img src="${src}" alt="preview">`;
    case 'audio': return `<audio controls preload="metadata" src="${src}"></audio>`;
    case 'video': return `<video controls preload="metadata" src="${src}"></video>`;
    case 'pdf':
    case 'text': return `<iframe src="${src}" title="preview" sandbox></iframe>`;
  }
}

/** A link's page: what the file is, until when, how many downloads are left, the button, a preview and the QR code. */
export function filePage(facts: FilePageFacts): CoreResponse {
  const { record, url } = facts;
  const name = escapeHtml(record.name);
  const link = new URL(url);
  link.search = '?download';
  const download = escapeHtml(link.href);
  link.search = '?download&inline';
  const rows = [
    ['Size', humanSize(record.size)],
    ['Type', record.type],
    ['Expires', facts.expires === null ? 'never' : new Date(facts.expires).toUTCString()],
    ['Downloads left', facts.downloadsLeft === null ? 'no limit' : String(facts.downloadsLeft)],
  ];
  const button = facts.password
    ? `<form method="post" action="${download}">
<label for="password">This link needs a password</label>
${facts.password.error ? `<p class="error">${escapeHtml(facts.password.error)}</p>` : ''}
<input id="password" name="password" type="password" autocomplete="off" required>
<p><button type="submit">Download</button></p></form>`
    : `<p><a class="button" href="${download}" download>Download</a></p>`;
  const body = `<h1>${name}</h1>
${facts.note ? `<p class="note">${escapeHtml(facts.note)}</p>` : ''}
<dl>${rows.map(([k, v]) => `<dt>${k}</dt><dd>${escapeHtml(v!)}</dd>`).join('')}</dl>
${button}
${facts.preview ? `<div class="preview">${previewMarkup(facts.preview, escapeHtml(link.href))}</div>` : ''}
${qrSvg(url)}`;
  return htmlPage(facts.password?.error ? 403 : 200, record.name, body);
}

const GONE_TEXT: Record<string, string> = {
  revoked: 'The owner revoked this link.',
  expired: 'This link has expired.',
  exhausted: 'This link was downloaded as many times as its owner allowed.',
  full: 'This upload link has received as many files as its owner allowed.',
};

/** 410 for a link that existed but serves no more, saying why. */
export function gonePage(reason: string): CoreResponse {
  return htmlPage(410, 'Link no longer available', `<h1>This link is no longer available</h1><p class="gone">${escapeHtml(GONE_TEXT[reason] ?? 'This link no longer works.')}</p>`);
}

export function notFoundPage(): CoreResponse {
  return htmlPage(404, 'Not found', '<h1>Not found</h1><p class="gone">There is no file at this link.</p>');
}
