// The package's ESM build has a default export; its one type file describes the CommonJS build (export =).
import * as qrcodeModule from 'qrcode-generator';

interface QrCode {
  addData(data: string): void;
  make(): void;
  getModuleCount(): number;
  isDark(row: number, col: number): boolean;
}
const qrcode = (qrcodeModule as unknown as { default: (typeNumber: 0, level: 'M') => QrCode }).default;

/**
 * The QR code of a URL as an inline SVG: one path of dark modules, nothing from the URL in the
 * markup. The URL is made ASCII first (the encoder's byte mode takes code units as bytes).
 */
export function qrSvg(url: string): string {
  const qr = qrcode(0, 'M');
  qr.addData(new URL(url).href);
  qr.make();
  const count = qr.getModuleCount();
  const margin = 4;
  let path = '';
  for (let row = 0; row < count; row++) {
    for (let col = 0; col < count; col++) if (qr.isDark(row, col)) path += `M${col + margin} ${row + margin}h1v1h-1z`;
  }
  const size = count + 2 * margin;
  return `<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" role="img" aria-label="QR code of this link" shape-rendering="crispEdges"><rect width="${size}" height="${size}" fill="#fff"/><path d="${path}" fill="#000"/></svg>`;
}
