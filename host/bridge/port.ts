// The host's end of a card's serial line, on the `serialport` package.
//
// One request at a time: a frame goes out with the next sequence number and
// the link waits for the frame with the same number. When the answer does
// not come in time, or the card says it dropped a frame (a notice), or the
// answer arrives damaged, the same frame goes out again: the card answers a
// retransmission from its cache, so nothing runs twice. A port that
// disappears (cable pulled) fails the request at once with 6014.
import { existsSync, realpathSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { FrameDecoder, TallyError, encodeFrame, isNotice, tallyError } from '../../firmware/core/index.js';

export interface LinkOptions {
  /** Line speed (ignored by pseudo-terminals; a real USB UART uses it). Default 115200. */
  baudRate?: number;
  /** Time to wait for an answer before sending the request again. Default 2000 ms. */
  timeoutMs?: number;
  /** Retransmissions before giving up with 6006. Default 3. */
  retries?: number;
}

export interface RequestOptions {
  timeoutMs?: number;
  retries?: number;
}

interface Waiter {
  seq: number;
  frame: Uint8Array;
  left: number;
  timeoutMs: number;
  timer: NodeJS.Timeout | undefined;
  resolve(payload: Uint8Array): void;
  reject(e: TallyError): void;
}

/** Maps the errors of opening a port to coded ones. */
function openError(e: unknown, path: string): TallyError {
  const m = e instanceof Error ? e.message : String(e);
  if (/lock|busy|temporarily unavailable/i.test(m)) return tallyError(6012, path);
  if (/permission denied|EACCES/i.test(m)) return tallyError(6018, path);
  if (/no such file|ENOENT|ENXIO|not a (tty|character)/i.test(m)) return tallyError(6011, path);
  return tallyError(6011, `${path}: ${m}`);
}

export class SerialLink {
  /** Bytes written to and read from the line (frames, retransmissions and notices included). */
  bytesOut = 0;
  bytesIn = 0;
  /** Requests made, and how many were sent again. */
  requests = 0;
  retransmissions = 0;
  private seq: number;
  private readonly decoder = new FrameDecoder();
  private waiter: Waiter | undefined;
  private closed: TallyError | undefined;
  private readonly watch: NodeJS.Timeout;
  private readonly device: string;

  private constructor(
    private readonly port: SerialPort,
    readonly path: string,
    private readonly opts: Required<LinkOptions>,
  ) {
    this.seq = Math.floor(Math.random() * 256);
    this.device = safeRealpath(path) ?? path;
    port.on('data', (b: Buffer) => this.onData(b));
    port.on('error', (e: Error) => this.fail(tallyError(6014, `${path}: ${e.message}`)));
    port.on('close', () => this.fail(tallyError(6014, path)));
    // A USB serial device (or a pseudo-terminal) vanishes when the cable is pulled; reads alone may not notice.
    this.watch = setInterval(() => {
      if (safeRealpath(path) !== this.device) this.fail(tallyError(6014, `${path} disappeared`));
    }, 100);
    this.watch.unref();
  }

  /** Opens a port: 6011 when it does not exist, 6012 when another program holds it, 6018 without permission. */
  static async open(path: string, options: LinkOptions = {}): Promise<SerialLink> {
    if (typeof path !== 'string' || path === '') throw tallyError(9001, '--port: a serial device path');
    if (!existsSync(path)) throw tallyError(6011, path);
    const opts: Required<LinkOptions> = { baudRate: 115200, timeoutMs: 2000, retries: 3, ...options };
    const port = new SerialPort({ path, baudRate: opts.baudRate, autoOpen: false, lock: true });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(openError(e, path)) : resolve())));
    const link = new SerialLink(port, path, opts);
    // A lone delimiter ends whatever partial frame an earlier session left in the card's buffer.
    link.write(Uint8Array.of(0));
    return link;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Sends one request payload; resolves with the answer's payload (6006 after the retries, 6014 if the port goes). */
  request(payload: Uint8Array, o: RequestOptions = {}): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(this.closed);
    if (this.waiter) return Promise.reject(tallyError(9001, 'one serial request at a time'));
    this.seq = (this.seq + 1) & 255;
    this.requests++;
    return new Promise<Uint8Array>((resolve, reject) => {
      const w: Waiter = {
        seq: this.seq, frame: encodeFrame(this.seq, payload), left: o.retries ?? this.opts.retries, timeoutMs: o.timeoutMs ?? this.opts.timeoutMs,
        timer: undefined, resolve, reject,
      };
      this.waiter = w;
      this.transmit(w);
    });
  }

  /** Writes raw bytes (tests use it to send damaged frames). */
  write(bytes: Uint8Array): void {
    if (this.closed) return;
    this.bytesOut += bytes.length;
    this.port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), (e) => {
      if (e) this.fail(tallyError(6014, `${this.path}: ${e.message}`));
    });
  }

  async close(): Promise<void> {
    this.fail(tallyError(6014, `${this.path} was closed`));
    if (this.port.isOpen) await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }

  private transmit(w: Waiter): void {
    clearTimeout(w.timer);
    this.write(w.frame);
    w.timer = setTimeout(() => this.again(w, 'timeout'), w.timeoutMs);
  }

  private again(w: Waiter, why: 'timeout' | 'notice'): void {
    if (this.waiter !== w) return;
    if (w.left <= 0) {
      if (why === 'timeout') this.settle(w, tallyError(6006, `${this.path}: no answer`));
      return; // a notice with no retries left: wait for the answer or the timeout
    }
    w.left--;
    this.retransmissions++;
    this.transmit(w);
  }

  private onData(b: Buffer): void {
    this.bytesIn += b.length;
    for (const ev of this.decoder.push(new Uint8Array(b.buffer, b.byteOffset, b.length))) {
      const w = this.waiter;
      if (!w) continue;
      // A damaged answer, or the card dropped our frame: send it again now (the card's cache answers).
      if ('error' in ev) this.again(w, 'notice');
      else if (isNotice(ev.frame.payload)) this.again(w, 'notice');
      else if (ev.frame.seq === w.seq) this.settle(w, ev.frame.payload.slice());
    }
  }

  private settle(w: Waiter, r: Uint8Array | TallyError): void {
    clearTimeout(w.timer);
    if (this.waiter === w) this.waiter = undefined;
    if (r instanceof Uint8Array) w.resolve(r);
    else w.reject(r);
  }

  private fail(e: TallyError): void {
    if (!this.closed) this.closed = e;
    clearInterval(this.watch);
    const w = this.waiter;
    if (w) this.settle(w, this.closed);
  }
}

function safeRealpath(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}
