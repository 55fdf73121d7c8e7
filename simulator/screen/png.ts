// A tiny PNG writer for the e-ink screens: grayscale, 1 bit per pixel (the
// panel's own depth) or 8, compressed with node:zlib. PNG (RFC 2083): the
// signature, IHDR, one IDAT, IEND; each chunk with its CRC-32.
import { deflateSync } from 'node:zlib';
import { crc32 } from '../../firmware/core/index.js';
import type { Framebuffer } from '../../firmware/ui/index.js';

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  v.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)) >>> 0);
  return out;
}

/** A grayscale PNG from rows of packed pixels (`bitDepth` 1 or 8; for 1, a set bit is white). */
export function encodePng(width: number, height: number, bitDepth: 1 | 8, rows: (y: number) => Uint8Array): Uint8Array {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = bitDepth;
  ihdr[9] = 0; // grayscale
  ihdr[10] = 0; // deflate
  ihdr[11] = 0; // filter method 0
  ihdr[12] = 0; // no interlace
  const stride = bitDepth === 1 ? (width + 7) >> 3 : width;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter: none
    raw.set(rows(y).subarray(0, stride), y * (stride + 1) + 1);
  }
  const idat = new Uint8Array(deflateSync(raw, { level: 9 }));
  const parts = [SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * The e-ink framebuffer as a 1-bit PNG, `scale` times larger (nearest
 * neighbour). The framebuffer's set bit is ink (black); PNG's is white.
 */
export function framebufferPng(fb: Framebuffer, scale = 1): Uint8Array {
  const s = Math.max(1, Math.floor(scale));
  const w = fb.width * s;
  const stride = (w + 7) >> 3;
  const row = new Uint8Array(stride);
  return encodePng(w, fb.height * s, 1, (y) => {
    const sy = Math.floor(y / s);
    row.fill(0);
    for (let x = 0; x < w; x++) if (!fb.get(Math.floor(x / s), sy)) row[x >> 3]! |= 0x80 >> (x & 7);
    return row;
  });
}

/** Decodes a PNG written by encodePng back to its rows (for tests): grayscale 1 or 8 bit, filter 0 only. */
export function decodePng(png: Uint8Array, inflate: (b: Uint8Array) => Uint8Array): { width: number; height: number; bitDepth: number; rows: Uint8Array[] } {
  const v = new DataView(png.buffer, png.byteOffset, png.length);
  for (let i = 0; i < 8; i++) if (png[i] !== SIGNATURE[i]) throw new Error('not a PNG');
  let o = 8;
  let width = 0;
  let height = 0;
  let bitDepth = 0;
  const idat: Uint8Array[] = [];
  while (o < png.length) {
    const len = v.getUint32(o);
    const type = String.fromCharCode(...png.subarray(o + 4, o + 8));
    const data = png.subarray(o + 8, o + 8 + len);
    if ((crc32(png.subarray(o + 4, o + 8 + len)) >>> 0) !== v.getUint32(o + 8 + len)) throw new Error(`PNG ${type}: bad CRC`);
    if (type === 'IHDR') {
      const h = new DataView(data.buffer, data.byteOffset, data.length);
      width = h.getUint32(0);
      height = h.getUint32(4);
      bitDepth = data[8]!;
    } else if (type === 'IDAT') idat.push(data);
    o += 12 + len;
  }
  const raw = inflate(Uint8Array.from(idat.flatMap((d) => [...d])));
  const stride = bitDepth === 1 ? (width + 7) >> 3 : width;
  const rows: Uint8Array[] = [];
  for (let y = 0; y < height; y++) {
    if (raw[y * (stride + 1)] !== 0) throw new Error('PNG filter not supported');
    rows.push(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
  }
  return { width, height, bitDepth, rows };
}
