import { HttpError } from '../../core/http-error.js';
import type { RouteHandler } from '../../core/router.js';
import { INERT_HEADERS } from '../file-response.js';
import { qrSvg } from './qr.js';

/**
 * GET qr?for=<url>: the QR code (SVG) of one of this server's own links, for the web page's
 * "QR" button. Only URLs below the endpoint; the image holds path data, never the URL's text.
 */
export function createQrImageHandler(): RouteHandler {
  return async (req) => {
    const target = req.query.get('for') ?? '';
    if (!target.startsWith(req.baseUrl) || target.length > 2048) {
      throw new HttpError(400, 'bad_qr_target', 'for= must be a link of this server (starting with its endpoint)');
    }
    const svg = qrSvg(target).replace(' class="qr"', '');
    return {
      status: 200,
      headers: { 'content-type': 'image/svg+xml', 'content-length': String(Buffer.byteLength(svg)), 'cache-control': 'private, max-age=3600', ...INERT_HEADERS },
      body: svg,
    };
  };
}
