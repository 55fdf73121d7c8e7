// A phone running a Tally wallet: the same card core (a CardHost, as a phone
// app would embed it), a BLE central, and a camera that reads QR codes off
// another device's screen, pixel by pixel (jsQR). It pays by QR code, which a
// card without a camera cannot do.
import { decodePairing, toHex, type Flash } from '../../firmware/core/index.js';
import { SessionBinding } from '../../firmware/app/radio.js';
import { CardHost, type Effects, type Outcome } from '../card/host.js';
import type { BleMedium, SimRadio } from '../radio/ble.js';
import type { Clock } from '../radio/clock.js';
import type { EinkScreen } from '../screen/eink.js';
import { readQr } from '../screen/qr.js';

export class Phone {
  readonly host: CardHost;
  readonly radio: SimRadio;
  outcome: Outcome | undefined;
  private binding: SessionBinding | null = null;

  constructor(
    readonly name: string,
    private readonly clock: Clock,
    medium: BleMedium,
    o: { seed: string; authorities: Uint8Array[]; address: Uint8Array; x?: number; y?: number },
  ) {
    this.host = new CardHost({ seed: o.seed, sectors: 64, authorities: o.authorities, firmware: 'tally-sim-phone 0.1.0', bleAddress: o.address });
    this.radio = medium.device(name, o.address, o.x ?? 0, o.y ?? 0);
  }

  get flash(): Flash {
    return this.host.flash;
  }

  usb(bytes: Uint8Array): Promise<Uint8Array> {
    return Promise.resolve(this.host.serial(this.clock.now, bytes));
  }

  /**
   * Points the camera at `screen`, decodes the QR code from its pixels, then
   * connects to the payee and pays. Returns the offer it read.
   */
  payByQr(screen: EinkScreen): string {
    const uri = readQr(screen.pixels());
    const address = toHex(decodePairing(uri).bleAddress);
    this.outcome = undefined;
    this.radio.connectToAddress(address, {
      connected: (conn) => {
        const b = new SessionBinding(conn, this.clock, () => {});
        this.binding = b;
        b.attach({ receive: (m) => this.apply(this.host.deliver(this.clock.now, m)), linkLost: () => this.apply(this.host.linkClosed(this.clock.now)) });
        this.apply(this.host.pay(this.clock.now, uri, { mode: 'qr' }));
      },
      value: (v) => this.binding?.value(v),
      mtu: (m) => this.binding?.mtu(m),
      disconnected: () => this.binding?.disconnected(),
    });
    return uri;
  }

  private apply(e: Effects): void {
    for (const m of e.sent) this.binding?.cardLink.send(m);
    if (e.confirm) this.apply(this.host.confirm(this.clock.now, { accept: true }));
    if (e.outcome) this.outcome = e.outcome;
    if (e.closed) this.binding?.cardLink.close();
  }
}
