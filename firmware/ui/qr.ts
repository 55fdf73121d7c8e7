// QR codes on the 1-bit framebuffer. The layout code never encodes QR codes
// itself: it takes a module matrix, so the device can use Moddable's native
// `qrcode` module (C, fast) and the simulator qrcode-generator, while both
// draw the same pixels.
import type { Framebuffer } from './framebuffer.js';

/** A square QR module matrix; (0, 0) is the top-left module. */
export interface QrMatrix {
  readonly size: number;
  isDark(x: number, y: number): boolean;
}

/** Quiet zone around a QR code, in modules (ISO/IEC 18004 asks for 4). */
export const QUIET_MODULES = 4;
/** Smallest module size we draw: docs/protocol.md sizes the pairing QR for 4-pixel modules. */
export const MIN_MODULE_PIXELS = 4;

/**
 * A matrix over one byte per module, row-major, non-zero is dark: the layout
 * of the ArrayBuffer that Moddable's `qrcode` module returns (its `size`
 * property is the side in modules).
 */
export function matrixFromModules(size: number, modules: Uint8Array): QrMatrix {
  if (!Number.isInteger(size) || size < 21 || size > 177 || (size - 17) % 4 !== 0) throw new RangeError(`QR size ${size}`);
  if (modules.length < size * size) throw new RangeError(`QR modules: ${modules.length} bytes for size ${size}`);
  return {
    size,
    isDark: (x, y) => x >= 0 && y >= 0 && x < size && y < size && modules[y * size + x] !== 0,
  };
}

/** Module size in pixels for a QR code (with its quiet zone) to fit a `box`-pixel square; 0 if it cannot fit at MIN_MODULE_PIXELS. */
export function qrScale(size: number, box: number): number {
  const scale = Math.floor(box / (size + 2 * QUIET_MODULES));
  return scale >= MIN_MODULE_PIXELS ? scale : 0;
}

/** Side in pixels of the QR code including its quiet zone. */
export function qrSide(size: number, scale: number): number {
  return (size + 2 * QUIET_MODULES) * scale;
}

/**
 * Draws a QR code with its quiet zone, top-left corner of the quiet zone at
 * (x, y). The quiet zone is cleared to white, whatever was there.
 */
export function drawQr(fb: Framebuffer, qr: QrMatrix, x: number, y: number, scale: number): void {
  const side = qrSide(qr.size, scale);
  fb.fillRect(x, y, side, side, false);
  const ox = x + QUIET_MODULES * scale;
  const oy = y + QUIET_MODULES * scale;
  for (let my = 0; my < qr.size; my++) {
    let run = -1;
    for (let mx = 0; mx <= qr.size; mx++) {
      const dark = mx < qr.size && qr.isDark(mx, my);
      if (dark && run < 0) run = mx;
      else if (!dark && run >= 0) {
        fb.fillRect(ox + run * scale, oy + my * scale, (mx - run) * scale, scale, true);
        run = -1;
      }
    }
  }
}
