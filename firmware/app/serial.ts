// The serial command channel to the host bridge, as a byte stream.
//
// The USB UART carries framed commands (the framing and the commands belong to
// the core's serial protocol); this layer only moves bytes. On the ESP32 a
// write must fit the UART's transmit FIFO (128 bytes) or Moddable throws
// "output full", so outgoing bytes queue here and go out as the FIFO drains
// (the serial driver's onWritable callback says how much room there is).
import { tallyError } from '../core/index.js';

/** A byte stream: what the serial protocol layer sends and receives through. */
export interface ByteStream {
  write(bytes: Uint8Array): void;
  /** Set by the protocol layer; called with every chunk that arrives. */
  onReceive: ((bytes: Uint8Array) => void) | null;
}

/** Where queued bytes finally go: the UART, `bytes.length` at most the room it reported. */
export type ByteSink = (bytes: Uint8Array) => void;

export interface PumpOptions {
  /** Most bytes queued at once (default 16 KiB: four full frames). */
  maxQueued?: number;
  /** Room assumed before the driver first reports any (default 0: wait for it). */
  initialRoom?: number;
}

/** Queues writes and feeds a FIFO-limited sink as room appears. */
export class SerialPump implements ByteStream {
  onReceive: ((bytes: Uint8Array) => void) | null = null;
  private readonly chunks: Uint8Array[] = [];
  private queued = 0;
  private room: number;
  private readonly maxQueued: number;

  constructor(
    private readonly sink: ByteSink,
    options: PumpOptions = {},
  ) {
    this.maxQueued = options.maxQueued ?? 16 * 1024;
    this.room = options.initialRoom ?? 0;
  }

  /** Queues bytes for the UART; throws 6002 when the queue would pass its limit. */
  write(bytes: Uint8Array): void {
    if (!(bytes instanceof Uint8Array)) throw tallyError(9001, 'serial write: expected bytes');
    if (bytes.length === 0) return;
    if (this.queued + bytes.length > this.maxQueued) {
      throw tallyError(6002, `serial output queue full (${this.queued} + ${bytes.length} > ${this.maxQueued} bytes)`);
    }
    this.chunks.push(Uint8Array.from(bytes));
    this.queued += bytes.length;
    this.pump();
  }

  /** The driver has room for `count` more bytes. */
  writable(count: number): void {
    this.room = Math.max(0, count | 0);
    this.pump();
  }

  /** Bytes arrived from the UART. */
  received(bytes: Uint8Array): void {
    if (bytes.length) this.onReceive?.(bytes);
  }

  get pending(): number {
    return this.queued;
  }

  private pump(): void {
    while (this.room > 0 && this.chunks.length) {
      const head = this.chunks[0]!;
      const n = Math.min(this.room, head.length);
      const part = n === head.length ? head : head.subarray(0, n);
      this.room -= n;
      this.queued -= n;
      if (n === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(n);
      this.sink(part);
    }
  }
}
