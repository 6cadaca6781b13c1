import type { FileRecord } from '../../storage/store.js';

export type PreviewKind = 'image' | 'audio' | 'video' | 'pdf' | 'text';

/** What a link page may preview, by the type the upload declared; SVG (which can hold script) never. */
export function previewKind(record: FileRecord): PreviewKind | undefined {
  const type = record.type.toLowerCase().split(';')[0]!.trim();
  if (/^image\/(png|jpeg|gif|webp|avif|bmp)$/.test(type)) return 'image';
  if (/^audio\/(mpeg|ogg|wav|webm|flac|aac|mp4)$/.test(type)) return 'audio';
  if (/^video\/(mp4|webm|ogg)$/.test(type)) return 'video';
  if (type === 'application/pdf') return 'pdf';
  if (type === 'text/plain') return 'text';
  return undefined;
}
