// QR codes in the simulator: encoding with qrcode-generator (the firmware
// uses Moddable's native `qrcode` module; both give the firmware's layout
// code a module matrix), and the payer's camera, which reads the payee's
// e-ink framebuffer pixel by pixel with jsQR. The offer string never passes
// from payee to payer any other way.
import jsQRModule from 'jsqr';
import qrcode from 'qrcode-generator';
import { tallyError } from '../../firmware/core/index.js';
import type { QrEncoder } from '../../firmware/app/flow.js';
import type { Framebuffer, QrMatrix } from '../../firmware/ui/index.js';

/** Level M, versions 1..6 (docs/protocol.md sizes the pairing payload for version 6). */
export const MAX_QR_VERSION = 6;
const ALNUM = /^[0-9A-Z $%*+\-./:]*$/;

export const simQr: QrEncoder = {
  encode(text: string): QrMatrix {
    const mode = ALNUM.test(text) ? 'Alphanumeric' : 'Byte';
    for (let version = 1; version <= MAX_QR_VERSION; version++) {
      const q = qrcode(version as TypeNumber, 'M');
      q.addData(text, mode);
      try {
        q.make();
      } catch {
        continue; // does not fit this version
      }
      const size = q.getModuleCount();
      return { size, isDark: (x: number, y: number) => x >= 0 && y >= 0 && x < size && y < size && q.isDark(y, x) };
    }
    throw tallyError(1001, `the offer does not fit a version ${MAX_QR_VERSION} QR code`);
  },
};

type TypeNumber = Parameters<typeof qrcode>[0];

// jsqr is CommonJS with an ES-style default export in its typings: under Node's
// ESM loader the function is the module itself (or its .default when bundled).
type JsQr = (data: Uint8ClampedArray, width: number, height: number, options?: { inversionAttempts?: 'dontInvert' }) => { data: string } | null;
const jsQR: JsQr = ((jsQRModule as unknown as { default?: JsQr }).default ?? (jsQRModule as unknown as JsQr));

/** The camera: decodes the QR code shown in a framebuffer from its pixels, or throws 8005. */
export function readQr(fb: Framebuffer): string {
  const rgba = new Uint8ClampedArray(fb.width * fb.height * 4);
  const bits = fb.bits;
  for (let y = 0; y < fb.height; y++) {
    for (let x = 0; x < fb.width; x++) {
      const ink = (bits[y * fb.stride + (x >> 3)]! & (0x80 >> (x & 7))) !== 0;
      const i = (y * fb.width + x) * 4;
      const v = ink ? 0 : 255;
      rgba[i] = v;
      rgba[i + 1] = v;
      rgba[i + 2] = v;
      rgba[i + 3] = 255;
    }
  }
  const r = jsQR(rgba, fb.width, fb.height, { inversionAttempts: 'dontInvert' });
  if (!r || !r.data) throw tallyError(8005, 'no QR code found in the screen pixels');
  return r.data;
}
