// A 1-bit framebuffer: the one picture the firmware and the simulator share.
//
// Layout: row-major, (width + 7) >> 3 bytes per row, the most significant bit
// of each byte is the leftmost pixel, and a set bit is ink (black). That is
// exactly commodetto's Bitmap.Monochrome format, so the device hands these
// bytes to Poco's drawMonochrome without converting them.
//
// Drawing clips to the buffer, and counts every pixel it had to clip in
// `clipped`: the view tests require it to stay 0, so no layout ever draws
// outside the 200x200 screen.

export const SCREEN_WIDTH = 200;
export const SCREEN_HEIGHT = 200;

/** A rectangle in pixels; w and h are never negative. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export class Framebuffer {
  readonly width: number;
  readonly height: number;
  /** Bytes per row. */
  readonly stride: number;
  readonly bits: Uint8Array;
  /** Pixels a drawing call tried to set outside the buffer (layout bugs). */
  clipped = 0;

  constructor(width = SCREEN_WIDTH, height = SCREEN_HEIGHT) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 4096 || height > 4096) {
      throw new RangeError(`framebuffer size ${width}x${height}`);
    }
    this.width = width;
    this.height = height;
    this.stride = (width + 7) >> 3;
    this.bits = new Uint8Array(this.stride * height);
  }

  clear(): void {
    this.bits.fill(0);
    this.clipped = 0;
  }

  get(x: number, y: number): boolean {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return false;
    return (this.bits[y * this.stride + (x >> 3)]! & (0x80 >> (x & 7))) !== 0;
  }

  set(x: number, y: number, ink = true): void {
    x |= 0;
    y |= 0;
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) {
      this.clipped++;
      return;
    }
    const i = y * this.stride + (x >> 3);
    const m = 0x80 >> (x & 7);
    if (ink) this.bits[i]! |= m;
    else this.bits[i]! &= ~m;
  }

  /** Fills a rectangle with ink (or clears it); whole bytes at a time where it can. */
  fillRect(x: number, y: number, w: number, h: number, ink = true): void {
    x |= 0;
    y |= 0;
    w |= 0;
    h |= 0;
    if (w <= 0 || h <= 0) return;
    const x0 = Math.max(0, x);
    const y0 = Math.max(0, y);
    const x1 = Math.min(this.width, x + w);
    const y1 = Math.min(this.height, y + h);
    const inside = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
    this.clipped += w * h - inside;
    if (x1 <= x0 || y1 <= y0) return;
    for (let row = y0; row < y1; row++) {
      const base = row * this.stride;
      let px = x0;
      while (px < x1) {
        if ((px & 7) === 0 && px + 8 <= x1) {
          this.bits[base + (px >> 3)] = ink ? 0xff : 0;
          px += 8;
          continue;
        }
        const i = base + (px >> 3);
        const m = 0x80 >> (px & 7);
        if (ink) this.bits[i]! |= m;
        else this.bits[i]! &= ~m;
        px++;
      }
    }
  }

  /** A rectangle outline `t` pixels thick. */
  frameRect(x: number, y: number, w: number, h: number, t = 1, ink = true): void {
    this.fillRect(x, y, w, t, ink);
    this.fillRect(x, y + h - t, w, t, ink);
    this.fillRect(x, y + t, t, h - 2 * t, ink);
    this.fillRect(x + w - t, y + t, t, h - 2 * t, ink);
  }

  /** Inverts the pixels of a rectangle (a highlighted menu line, a cursor). */
  invertRect(x: number, y: number, w: number, h: number): void {
    for (let row = y; row < y + h; row++) {
      for (let col = x; col < x + w; col++) {
        if (col < 0 || row < 0 || col >= this.width || row >= this.height) {
          this.clipped++;
          continue;
        }
        const i = row * this.stride + (col >> 3);
        this.bits[i]! ^= 0x80 >> (col & 7);
      }
    }
  }

  /** Number of ink pixels (tests, and a cheap "is anything drawn here" check). */
  inkCount(r: Rect = { x: 0, y: 0, w: this.width, h: this.height }): number {
    let n = 0;
    for (let y = r.y; y < r.y + r.h; y++) for (let x = r.x; x < r.x + r.w; x++) if (this.get(x, y)) n++;
    return n;
  }

  /** The smallest rectangle holding every ink pixel, or null for a blank buffer. */
  inkBounds(): Rect | null {
    let x0 = this.width;
    let y0 = this.height;
    let x1 = -1;
    let y1 = -1;
    for (let y = 0; y < this.height; y++) {
      const base = y * this.stride;
      for (let b = 0; b < this.stride; b++) {
        const v = this.bits[base + b]!;
        if (v === 0) continue;
        for (let k = 0; k < 8; k++) {
          if (v & (0x80 >> k)) {
            const x = b * 8 + k;
            if (x < x0) x0 = x;
            if (x > x1) x1 = x;
          }
        }
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
    return x1 < 0 ? null : { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
  }

  /** Bounding rectangle of the pixels that differ from `other` (same size), or null if none. */
  diff(other: Framebuffer): Rect | null {
    if (other.width !== this.width || other.height !== this.height) return { x: 0, y: 0, w: this.width, h: this.height };
    let b0 = this.stride;
    let b1 = -1;
    let y0 = -1;
    let y1 = -1;
    for (let y = 0; y < this.height; y++) {
      const base = y * this.stride;
      for (let b = 0; b < this.stride; b++) {
        if (this.bits[base + b] !== other.bits[base + b]) {
          if (y0 < 0) y0 = y;
          y1 = y;
          if (b < b0) b0 = b;
          if (b > b1) b1 = b;
        }
      }
    }
    if (y0 < 0) return null;
    const x = b0 * 8;
    return { x, y: y0, w: Math.min(this.width, (b1 + 1) * 8) - x, h: y1 - y0 + 1 };
  }

  copyFrom(other: Framebuffer): void {
    if (other.width !== this.width || other.height !== this.height) throw new RangeError('framebuffer sizes differ');
    this.bits.set(other.bits);
    this.clipped = other.clipped;
  }
}
