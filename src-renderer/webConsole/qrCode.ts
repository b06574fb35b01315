// The authenticator app's QR code arrives from the broker as an SVG document
// (the `qrcode` package's output). Putting that markup into the page would
// trust it with the DOM, and an <img> of it needs `data:` in img-src, which
// the renderer's CSP refuses on purpose (src-main/contentSecurityPolicy.test.ts).
// So the page reads only numbers and path commands out of it and draws the
// code itself with React: nothing from the document becomes markup.

export interface QrShape {
  /** An SVG path of moves and lines only: M, H, V, L, Z, h, v, l, m, z, numbers. */
  d: string;
  /** Filled (the light background) or stroked (the dark modules). */
  paint: 'fill' | 'stroke';
}

export interface QrDrawing {
  /** The viewBox's width and height, in modules (the quiet zone included). */
  size: number;
  shapes: QrShape[];
}

// A version 40 code is 177 modules plus the quiet zone; anything larger is not one of ours.
const MAX_SIZE = 200;
const PATH_DATA = /^[MmHhVvLlZz0-9.\s,-]+$/;
// The qrcode package writes exactly `<path fill="#…" d="…"/>` and `<path stroke="#…" d="…"/>`.
const PATH = /<path\s+(fill|stroke)="#[0-9a-fA-F]{3,8}"\s+d="([^"]*)"\s*\/>/g;

/** The shapes to draw, or undefined when the document is not a QR code as the broker makes them. */
export function readQrSvg(svg: string): QrDrawing | undefined {
  const viewBox = /^<svg\b[^>]*\bviewBox="0 0 (\d{1,3}) (\d{1,3})"/.exec(svg.trim());
  if (!viewBox || viewBox[1] !== viewBox[2]) return undefined;
  const size = Number(viewBox[1]);
  if (!(size > 0 && size <= MAX_SIZE)) return undefined;
  const shapes: QrShape[] = [];
  for (const [, paint, d] of svg.matchAll(PATH)) {
    if (d === undefined || !PATH_DATA.test(d)) return undefined;
    shapes.push({ d, paint: paint === 'fill' ? 'fill' : 'stroke' });
  }
  return shapes.some((shape) => shape.paint === 'stroke') ? { size, shapes } : undefined;
}
