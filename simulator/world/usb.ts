// The USB serial cable between a simulated card and the host bridge, in
// process: the bridge's own CardClient and sync code (host/bridge) send
// frames through it, the card's serial end (the core's SerialCard) answers.
// Frames are the real ones (COBS, length, CRC-32, sequence number); only the
// wire is a function call. The time the bytes would take on the CoreInk's
// 115200-baud USB UART is added up for the report.
import { FrameDecoder, encodeFrame, isNotice, tallyError } from '../../firmware/core/index.js';
import { CardClient } from '../../host/bridge/index.js';
import type { SerialLink } from '../../host/bridge/index.js';

/** Seconds per byte on a 115200-baud UART (10 bits a byte). */
export const UART_MS_PER_BYTE = 10_000 / 115_200;

/** Moves bytes to the card and returns what it writes back. */
export type Transfer = (bytes: Uint8Array) => Promise<Uint8Array>;

export class UsbCable {
  bytesOut = 0;
  bytesIn = 0;
  requests = 0;
  private seq = 0;
  private readonly decoder = new FrameDecoder();

  constructor(private readonly transfer: Transfer) {}

  /** What host/bridge's SerialLink offers CardClient: one request, its answer's payload. */
  async request(payload: Uint8Array, o: { retries?: number } = {}): Promise<Uint8Array> {
    this.requests++;
    this.seq = (this.seq + 1) & 255;
    const frame = encodeFrame(this.seq, payload);
    for (let attempt = 0; attempt <= (o.retries ?? 3); attempt++) {
      this.bytesOut += frame.length;
      const back = await this.transfer(frame);
      this.bytesIn += back.length;
      let notice = false;
      for (const ev of this.decoder.push(back)) {
        if ('error' in ev) notice = true;
        else if (isNotice(ev.frame.payload)) notice = true;
        else if (ev.frame.seq === this.seq) return ev.frame.payload.slice();
      }
      if (!notice) break; // silence: the card is off
    }
    throw tallyError(6006, 'the simulated card did not answer');
  }

  /** Modelled time on the wire so far, ms. */
  get wireMs(): number {
    return (this.bytesOut + this.bytesIn) * UART_MS_PER_BYTE;
  }

  /** The bridge's card client over this cable. */
  client(): CardClient {
    // CardClient is typed against the serialport-backed SerialLink class, but
    // calls only request(): the cable stands in for it (see the report's notes).
    return new CardClient(this as unknown as SerialLink);
  }
}
