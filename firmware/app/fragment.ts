// Protocol messages over BLE GATT: fragmentation at the negotiated MTU,
// reassembly, and recovery from lost and duplicated fragments.
//
// Each side writes GATT values to the other (the central with write without
// response on the `rx` characteristic, the peripheral with notifications on
// `tx`). A value is one frame:
//
//   byte 0      kind (bits 7-6) and round (bits 5-0)
//                 00 DATA    a fragment; round 0
//                 01 POLL    a fragment that asks for an ACK; round = the poll's round
//                 10 ACK     reply to a POLL; round = that poll's round
//                 11 ABORT   the message is abandoned; round 0
//   byte 1      message id (the sender counts messages modulo 256)
//   DATA, POLL: bytes 2-3 fragment index (u16 big-endian); fragment 0 then
//               carries the message length (u16 big-endian); then payload
//   ACK:        bytes 2-3 how many fragments of the message arrived in order (u16)
//   ABORT:      byte 2 reason: 1 too long, 2 sender gave up, 3 malformed
//
// The sender sends a window of fragments and makes the last one a POLL. The
// receiver keeps fragments that arrive in order, ignores duplicates and
// anything after a gap, and answers every POLL with an ACK saying how far it
// got (go-back-N). The sender continues from there, or resends the window
// when no ACK comes in time, and gives up after a few tries. A receiver
// re-acknowledges the last message it completed, so a lost final ACK costs
// one round trip, not a duplicate delivery.
//
// One message is in flight per direction; further sends queue. Messages are
// at most `maxMessageBytes` (by default the payment protocol's largest link
// message, LINK_MESSAGE_MAX), whatever the MTU: at the minimum MTU of 23 a
// fragment carries 16 bytes, so a 6 KB message is some 400 fragments.
import { LINK_MESSAGE_MAX, tallyError, type Link, type TallyError } from '../core/index.js';
import { Timeout, type Timers } from './timers.js';

/** Codes from docs/protocol.md that the link reports. */
export const LinkCode = {
  /** PAYMENT_MESSAGE_TOO_LONG: a message longer than the link allows (ours or the peer's). */
  TOO_LONG: 4014,
  /** PAYMENT_ABORTED: a message lost for good (the peer gave up, went silent, or started another one). */
  LOST: 4015,
  /** A frame that does not parse. */
  MALFORMED: 1011,
  /** A call the link cannot take (sending after close). */
  ARGUMENT: 9001,
} as const;

export const KIND_DATA = 0x00;
export const KIND_POLL = 0x40;
export const KIND_ACK = 0x80;
export const KIND_ABORT = 0xc0;
export const ABORT_TOO_LONG = 1;
export const ABORT_GAVE_UP = 2;
export const ABORT_MALFORMED = 3;

/** Bytes the ATT protocol keeps from every value: opcode and handle. */
export const ATT_OVERHEAD = 3;
export const MIN_MTU = 23;
/** Largest ATT MTU (BLE 4.2+ data length extension allows 247 in practice, 517 in the spec). */
export const MAX_MTU = 517;
export const MAX_FRAGMENTS = 0xffff;
/** Largest length the u16 length field can state. */
export const MAX_MESSAGE = 0xffff;
export const DEFAULT_MAX_MESSAGE = LINK_MESSAGE_MAX;
/** Header bytes of fragment 0 (kind, id, index, length) and of the others (kind, id, index). */
const FIRST_HEAD = 6;
const HEAD = 4;

/** Where frames go: one GATT value per call. */
export interface FramePipe {
  write(frame: Uint8Array): void;
}

export interface FragmentOptions {
  maxMessageBytes?: number;
  /** Fragments per round before a POLL (default 8). */
  window?: number;
  /** How long the sender waits for an ACK, ms (default 1500). */
  ackTimeoutMs?: number;
  /** Rounds resent without progress before giving up (default 5). */
  maxRetries?: number;
  /** A half-received message silent this long is dropped, ms (default 15000). */
  stallTimeoutMs?: number;
}

export interface FragmentEvents {
  /** A complete message from the peer. */
  message(bytes: Uint8Array): void;
  /** A message (ours or the peer's) was lost for good, or a frame was malformed. The link stays usable. */
  error(e: TallyError): void;
}

interface Outgoing {
  id: number;
  fragments: Uint8Array[];
  base: number;
  round: number;
  retries: number;
}

interface Incoming {
  id: number;
  total: number;
  parts: Uint8Array[];
  received: number;
  next: number;
}

/** Payload bytes per GATT value at an ATT MTU. */
export function valueBytes(mtu: number): number {
  return Math.max(MIN_MTU, Math.min(MAX_MTU, mtu | 0)) - ATT_OVERHEAD;
}

/** Splits a message into the frames' payloads: fragment 0 holds 2 bytes less (the length). */
export function fragmentPayloads(message: Uint8Array, mtu: number): Uint8Array[] {
  const value = valueBytes(mtu);
  const first = value - FIRST_HEAD;
  const rest = value - HEAD;
  const out: Uint8Array[] = [message.subarray(0, Math.min(first, message.length))];
  for (let at = first; at < message.length; at += rest) out.push(message.subarray(at, Math.min(at + rest, message.length)));
  return out;
}

/** The most a message can hold at an MTU: the u16 length field is the limit at every MTU. */
export function capacity(mtu: number): number {
  const value = valueBytes(mtu);
  return Math.min(MAX_MESSAGE, value - FIRST_HEAD + (MAX_FRAGMENTS - 1) * (value - HEAD));
}

export class FragmentLink implements Link {
  readonly maxMessageBytes: number;
  private mtu = MIN_MTU;
  private readonly window: number;
  private readonly ackTimeoutMs: number;
  private readonly maxRetries: number;
  private readonly stallTimeoutMs: number;
  private readonly ackTimer: Timeout;
  private readonly stallTimer: Timeout;
  private nextId = 0;
  private readonly queue: Uint8Array[] = [];
  private out: Outgoing | null = null;
  private inc: Incoming | null = null;
  private lastDone: { id: number; next: number } | null = null;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly pipe: FramePipe,
    timers: Timers,
    private readonly events: FragmentEvents,
    options: FragmentOptions = {},
  ) {
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE;
    if (!Number.isInteger(this.maxMessageBytes) || this.maxMessageBytes < 1 || this.maxMessageBytes > MAX_MESSAGE) {
      throw tallyError(LinkCode.ARGUMENT, `maxMessageBytes: 1..${MAX_MESSAGE}`);
    }
    this.window = Math.max(1, Math.min(64, options.window ?? 8));
    this.ackTimeoutMs = options.ackTimeoutMs ?? 1500;
    this.maxRetries = options.maxRetries ?? 5;
    this.stallTimeoutMs = options.stallTimeoutMs ?? 15000;
    this.ackTimer = new Timeout(timers);
    this.stallTimer = new Timeout(timers);
  }

  /** The ATT MTU negotiated for the connection (23 until an exchange says otherwise). */
  setMtu(mtu: number): void {
    if (!Number.isInteger(mtu) || mtu < MIN_MTU) return;
    this.mtu = Math.min(MAX_MTU, mtu);
  }

  get negotiatedMtu(): number {
    return this.mtu;
  }

  /** True while a message is in flight or queued. */
  get busy(): boolean {
    return this.out !== null || this.queue.length > 0;
  }

  send(message: Uint8Array): void {
    if (this.closed) throw tallyError(LinkCode.ARGUMENT, 'the link is closed');
    if (!(message instanceof Uint8Array)) throw tallyError(LinkCode.ARGUMENT, 'message: expected bytes');
    if (message.length > this.maxMessageBytes) throw tallyError(LinkCode.TOO_LONG, `${message.length} > ${this.maxMessageBytes} bytes`);
    this.queue.push(Uint8Array.from(message));
    if (!this.out) this.startNext();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ackTimer.stop();
    this.stallTimer.stop();
    this.queue.length = 0;
    this.out = null;
    this.inc = null;
    this.notifyIdle();
  }

  /**
   * Calls `fn` once everything sent so far is acknowledged or given up on
   * (at once if nothing is in flight), or the link closes. Lets a session
   * that has ended keep the connection until its last message is through.
   */
  flush(fn: () => void): void {
    if (this.closed || !this.busy) {
      fn();
      return;
    }
    this.idleWaiters.push(fn);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** A GATT value from the peer. */
  receive(frame: Uint8Array): void {
    if (this.closed) return;
    if (!(frame instanceof Uint8Array) || frame.length < 3) return this.malformed('frame shorter than 3 bytes');
    const kind = frame[0]! & 0xc0;
    const round = frame[0]! & 0x3f;
    const id = frame[1]!;
    if (kind === KIND_ABORT) return this.onAbort(id, frame[2]!);
    if (frame.length < HEAD) return this.malformed(`frame of ${frame.length} bytes`);
    const n = (frame[2]! << 8) | frame[3]!;
    if (kind === KIND_ACK) return this.onAck(id, n, round);
    this.onData(kind === KIND_POLL, round, id, n, frame);
  }

  // ---- sending -------------------------------------------------------------

  private startNext(): void {
    const message = this.queue.shift();
    if (!message) {
      this.notifyIdle();
      return;
    }
    const fragments = fragmentPayloads(message, this.mtu);
    const length = message.length;
    const frames = fragments.map((payload, index) => {
      const head = index === 0 ? FIRST_HEAD : HEAD;
      const f = new Uint8Array(head + payload.length);
      f[2] = index >> 8;
      f[3] = index & 0xff;
      if (index === 0) {
        f[4] = length >> 8;
        f[5] = length & 0xff;
      }
      f.set(payload, head);
      return f;
    });
    this.out = { id: this.nextId, fragments: frames, base: 0, round: 0, retries: 0 };
    this.nextId = (this.nextId + 1) & 0xff;
    this.sendRound();
  }

  private sendRound(): void {
    const out = this.out;
    if (!out) return;
    out.round = (out.round + 1) & 0x3f;
    const end = Math.min(out.fragments.length, out.base + this.window);
    for (let i = out.base; i < end; i++) {
      const f = out.fragments[i]!;
      f[0] = i === end - 1 ? KIND_POLL | out.round : KIND_DATA;
      f[1] = out.id;
      this.pipe.write(f);
      if (this.closed || this.out !== out) return; // the pipe closed the link under us
    }
    this.ackTimer.start(this.ackTimeoutMs, () => this.onAckTimeout());
  }

  private onAckTimeout(): void {
    const out = this.out;
    if (!out || this.closed) return;
    if (++out.retries > this.maxRetries) {
      this.pipe.write(Uint8Array.of(KIND_ABORT, out.id, ABORT_GAVE_UP));
      this.out = null;
      this.events.error(tallyError(LinkCode.LOST, `no acknowledgement after ${this.maxRetries + 1} tries`));
      if (!this.closed) this.startNext();
      return;
    }
    this.sendRound();
  }

  private onAck(id: number, next: number, round: number): void {
    const out = this.out;
    if (!out || id !== out.id) return; // late ACK of an older message
    if (next > out.fragments.length) return this.malformed(`ACK for fragment ${next} of ${out.fragments.length}`);
    const current = round === out.round;
    if (next > out.base || current) {
      if (next > out.base) out.retries = 0;
      out.base = next;
    }
    if (out.base === out.fragments.length) {
      this.ackTimer.stop();
      this.out = null;
      this.startNext();
      return;
    }
    if (current) {
      this.ackTimer.stop();
      this.sendRound();
    }
  }

  private onAbort(id: number, reason: number): void {
    if (this.out && this.out.id === id) {
      // The peer refused our message.
      this.ackTimer.stop();
      this.out = null;
      this.events.error(
        tallyError(reason === ABORT_TOO_LONG ? LinkCode.TOO_LONG : LinkCode.LOST, `the peer abandoned our message (reason ${reason})`),
      );
      this.startNext();
      return;
    }
    if (this.inc && this.inc.id === id) {
      this.dropIncoming(tallyError(LinkCode.LOST, `the peer abandoned its message (reason ${reason})`));
    }
  }

  // ---- receiving -----------------------------------------------------------

  private onData(poll: boolean, round: number, id: number, index: number, frame: Uint8Array): void {
    let inc = this.inc;
    if (!inc || inc.id !== id) {
      if (this.lastDone && this.lastDone.id === id && !(inc && inc.id === id)) {
        // A fragment of the message we completed: our final ACK was lost.
        if (poll) this.ack(id, this.lastDone.next, round);
        return;
      }
      if (index !== 0) {
        // A message whose start we missed: ask for it from fragment 0.
        if (poll) this.ack(id, 0, round);
        return;
      }
      if (frame.length < FIRST_HEAD) return this.malformed('first fragment without a length');
      const total = (frame[4]! << 8) | frame[5]!;
      if (inc) this.dropIncoming(tallyError(LinkCode.LOST, `message ${inc.id} was cut short by message ${id}`));
      if (total > this.maxMessageBytes) {
        this.pipe.write(Uint8Array.of(KIND_ABORT, id, ABORT_TOO_LONG));
        this.events.error(tallyError(LinkCode.TOO_LONG, `the peer sent ${total} > ${this.maxMessageBytes} bytes`));
        return;
      }
      inc = this.inc = { id, total, parts: [], received: 0, next: 0 };
    }
    if (index === inc.next) {
      const payload = frame.subarray(index === 0 ? FIRST_HEAD : HEAD);
      if (inc.received + payload.length > inc.total) {
        this.pipe.write(Uint8Array.of(KIND_ABORT, id, ABORT_MALFORMED));
        this.dropIncoming(tallyError(LinkCode.MALFORMED, `fragment ${index} overruns the ${inc.total}-byte message`));
        return;
      }
      if (payload.length === 0 && inc.received < inc.total) {
        this.pipe.write(Uint8Array.of(KIND_ABORT, id, ABORT_MALFORMED));
        this.dropIncoming(tallyError(LinkCode.MALFORMED, `empty fragment ${index}`));
        return;
      }
      inc.parts.push(Uint8Array.from(payload));
      inc.received += payload.length;
      inc.next++;
    }
    // index < next: a duplicate; index > next: after a gap. Both are dropped.
    if (inc.received === inc.total) {
      this.inc = null;
      this.stallTimer.stop();
      this.lastDone = { id, next: inc.next };
      if (poll) this.ack(id, inc.next, round);
      this.events.message(join(inc.parts, inc.total));
      return;
    }
    this.stallTimer.start(this.stallTimeoutMs, () => {
      if (this.inc === inc) this.dropIncoming(tallyError(LinkCode.LOST, `message ${inc.id} stalled at ${inc.received} of ${inc.total} bytes`));
    });
    if (poll) this.ack(id, inc.next, round);
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    if (!waiters.length) return;
    this.idleWaiters = [];
    for (const fn of waiters) fn();
  }

  private ack(id: number, next: number, round: number): void {
    this.pipe.write(Uint8Array.of(KIND_ACK | round, id, next >> 8, next & 0xff));
  }

  private dropIncoming(e: TallyError): void {
    this.inc = null;
    this.stallTimer.stop();
    this.events.error(e);
  }

  private malformed(detail: string): void {
    this.events.error(tallyError(LinkCode.MALFORMED, detail));
  }
}

function join(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1 && parts[0]!.length === total) return parts[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
