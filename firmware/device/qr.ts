// QR codes from Moddable's native `qrcode` module (C, qrcodegen): a pure-JS
// encoder costs about 30M computrons on XS, this costs next to nothing.
// Level M, versions up to 6 (docs/protocol.md sizes the pairing payload for it).
import qrCode from 'qrcode';
import { tallyError } from '../core/index.js';
import type { QrEncoder } from '../app/flow.js';
import { matrixFromModules, type QrMatrix } from '../ui/qr.js';

export const MAX_QR_VERSION = 6;

export const nativeQr: QrEncoder = {
  encode(text: string): QrMatrix {
    let bits;
    try {
      bits = qrCode({ input: text, maxVersion: MAX_QR_VERSION });
    } catch {
      throw tallyError(1001, `the offer does not fit a version ${MAX_QR_VERSION} QR code`);
    }
    return matrixFromModules(bits.size, new Uint8Array(bits));
  },
};
