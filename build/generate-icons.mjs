// Writes build/icon.svg and build/icon.png (512×512, what electron-builder
// takes for Linux and converts for Windows and macOS) from one description
// of the icon, so the two never drift. No dependencies: the PNG is drawn
// with signed distance functions, 4×4 supersampled, and encoded with zlib.
//
//   node build/generate-icons.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const size = 512;

/** The icon: a terminal prompt `>_` on a dark tile, and three dots for the fleet of machines. */
const tile = { x: 32, y: 32, width: 448, height: 448, radius: 96, color: '#0f172a' };
const shapes = [
  {
    kind: 'polyline',
    points: [
      [136, 184],
      [232, 264],
      [136, 344],
    ],
    width: 40,
    color: '#22d3ee',
  },
  {
    kind: 'polyline',
    points: [
      [272, 344],
      [376, 344],
    ],
    width: 40,
    color: '#e2e8f0',
  },
  { kind: 'circle', cx: 296, cy: 152, r: 18, color: '#38bdf8' },
  { kind: 'circle', cx: 352, cy: 152, r: 18, color: '#38bdf8' },
  { kind: 'circle', cx: 408, cy: 152, r: 18, color: '#38bdf8' },
];

function svg() {
  const lines = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">`,
    '  <title>Fleetterm</title>',
    `  <rect x="${tile.x}" y="${tile.y}" width="${tile.width}" height="${tile.height}" rx="${tile.radius}" fill="${tile.color}"/>`,
  ];
  for (const shape of shapes) {
    if (shape.kind === 'polyline') {
      const points = shape.points.map(([x, y]) => `${x},${y}`).join(' ');
      lines.push(
        `  <polyline points="${points}" fill="none" stroke="${shape.color}" stroke-width="${shape.width}" stroke-linecap="round" stroke-linejoin="round"/>`,
      );
    } else {
      lines.push(`  <circle cx="${shape.cx}" cy="${shape.cy}" r="${shape.r}" fill="${shape.color}"/>`);
    }
  }
  lines.push('</svg>', '');
  return lines.join('\n');
}

// Signed distances: negative inside, positive outside.
function roundedRectDistance(px, py, rect) {
  const halfWidth = rect.width / 2 - rect.radius;
  const halfHeight = rect.height / 2 - rect.radius;
  const dx = Math.abs(px - (rect.x + rect.width / 2)) - halfWidth;
  const dy = Math.abs(py - (rect.y + rect.height / 2)) - halfHeight;
  const outside = Math.hypot(Math.max(dx, 0), Math.max(dy, 0));
  return outside + Math.min(Math.max(dx, dy), 0) - rect.radius;
}

function segmentDistance(px, py, [ax, ay], [bx, by]) {
  const abx = bx - ax;
  const aby = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * abx + (py - ay) * aby) / (abx * abx + aby * aby)));
  return Math.hypot(px - (ax + t * abx), py - (ay + t * aby));
}

function shapeDistance(px, py, shape) {
  if (shape.kind === 'circle') return Math.hypot(px - shape.cx, py - shape.cy) - shape.r;
  let nearest = Infinity;
  for (let i = 1; i < shape.points.length; i++) {
    nearest = Math.min(nearest, segmentDistance(px, py, shape.points[i - 1], shape.points[i]));
  }
  // Round caps and joins: everything within half the stroke width of the line.
  return nearest - shape.width / 2;
}

const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

function png() {
  const samples = 4;
  const layers = [
    { color: rgb(tile.color), inside: (x, y) => roundedRectDistance(x, y, tile) <= 0 },
    ...shapes.map((shape) => ({ color: rgb(shape.color), inside: (x, y) => shapeDistance(x, y, shape) <= 0 })),
  ];
  // Each row starts with its filter type byte (0: none).
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    const row = y * (size * 4 + 1);
    for (let x = 0; x < size; x++) {
      // Average premultiplied colour over the subsamples, painting layers in order.
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const px = x + (sx + 0.5) / samples;
          const py = y + (sy + 0.5) / samples;
          let sample = null;
          for (const layer of layers) if (layer.inside(px, py)) sample = layer.color;
          if (sample) {
            r += sample[0];
            g += sample[1];
            b += sample[2];
            a += 1;
          }
        }
      }
      const offset = row + 1 + x * 4;
      if (a > 0) {
        raw[offset] = Math.round(r / a);
        raw[offset + 1] = Math.round(g / a);
        raw[offset + 2] = Math.round(b / a);
      }
      raw[offset + 3] = Math.round((a / (samples * samples)) * 255);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bits per channel
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = crcTable[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

writeFileSync(new URL('./icon.svg', import.meta.url), svg());
writeFileSync(new URL('./icon.png', import.meta.url), png());
console.log('wrote build/icon.svg and build/icon.png');
