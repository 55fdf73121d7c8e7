// Test fixtures for cards: NOR flash that can lose power at any write, a
// message wire between two cards with fault injection, and a small world (an
// authority, provisioned cards). Portable: imported by portable specs (V8 and
// XS), the Node-only campaigns and the XS card benchmark. Uses only the
// core's public surface.
import { seededBytes } from '../portable/spec.js';
import {
  Card,
  CardKeys,
  PAYMENT_PROLOGUE,
  PAYMENT_PROTOCOL,
  createHandshake,
  decodeEnvelope,
  decodeMessage,
  decodePairing,
  encodeCanonical,
  encodeEnvelope,
  encodeMessage,
  encodePairing,
  encodeRecordBody,
  pskFromToken,
  type AppMessage,
  type Hello,
  type NoiseHandshake,
  type NoiseTransport,
  type Offer,
  type PairingOffer,
  type PaymentBody,
  type ReceiptBody,
  Signer,
  TallyError,
  issueCertificate,
  issueRevocations,
  issueEpoch,
  type CardEvent,
  type CardView,
  type ConfirmRequest,
  type Flash,
  type HolderAnswer,
  type Link,
  type SessionOutcome,
} from '../../firmware/core/index.js';

/** Thrown by MemFlash when the power is cut; the card that hit it is dead until rebooted. */
export class PowerCut extends Error {
  constructor() {
    super('power cut');
    this.name = 'PowerCut';
  }
}

/** before: nothing written; after: all written; torn: the first half written; torn-early: only 3 bytes (inside a header). */
export type CutMode = 'before' | 'after' | 'torn' | 'torn-early';

/** Deterministic bytes (xorshift32), for fixtures and card randomness in tests only. */
export function seededRandom(seed: number): (n: number) => Uint8Array {
  return seededBytes(seed);
}

/** NOR flash in memory: erase sets 0xFF, writes AND bits in. Counts everything; can cut power at the n-th write. */
export class MemFlash implements Flash {
  readonly sectorBytes: number;
  readonly sizeBytes: number;
  readonly data: Uint8Array;
  writes = 0;
  bytesWritten = 0;
  erases = 0;
  dead = false;
  /** Cut power at write number `at` (1-based, counted from now on): before it, after it, or halfway through it. */
  cut: { at: number; mode: CutMode } | undefined;
  /** Cut power at erase number `at` (1-based), halfway through it: the first half of the sector erased, or only the second. */
  cutErase: { at: number; part?: 'head' | 'tail' } | undefined;
  private erasesSeen = 0;

  constructor(sectors = 16, sectorBytes = 4096, data?: Uint8Array) {
    this.sectorBytes = sectorBytes;
    this.sizeBytes = sectors * sectorBytes;
    this.data = data ?? new Uint8Array(this.sizeBytes).fill(0xff);
  }

  read(offset: number, length: number): Uint8Array {
    this.alive();
    if (offset < 0 || length < 0 || offset + length > this.sizeBytes) throw new RangeError(`read ${offset}+${length}`);
    return this.data.slice(offset, offset + length);
  }

  write(offset: number, bytes: Uint8Array): void {
    this.alive();
    if (offset < 0 || offset + bytes.length > this.sizeBytes) throw new RangeError(`write ${offset}+${bytes.length}`);
    const n = ++this.writes;
    const cut = this.cut && this.cut.at === n ? this.cut.mode : undefined;
    if (cut === 'before') this.die();
    const torn = cut === 'torn' || cut === 'torn-early';
    const upto = cut === 'torn' ? Math.floor(bytes.length / 2) : cut === 'torn-early' ? Math.min(3, bytes.length - 1) : bytes.length;
    for (let i = 0; i < upto; i++) this.data[offset + i]! &= bytes[i]!;
    if (torn) {
      // The byte being programmed when the power went: some of its bits only.
      if (upto < bytes.length) this.data[offset + upto]! &= bytes[upto]! | 0xa5;
      this.bytesWritten += upto;
      this.die();
    }
    this.bytesWritten += bytes.length;
    if (cut === 'after') this.die();
  }

  eraseSector(sector: number): void {
    this.alive();
    if (!Number.isInteger(sector) || sector < 0 || sector >= this.sizeBytes / this.sectorBytes) throw new RangeError(`sector ${sector}`);
    const n = ++this.erasesSeen;
    const start = sector * this.sectorBytes;
    if (this.cutErase && this.cutErase.at === n) {
      const half = this.sectorBytes / 2;
      if (this.cutErase.part === 'tail') this.data.fill(0xff, start + half, start + this.sectorBytes);
      else this.data.fill(0xff, start, start + half);
      this.die();
    }
    this.erases++;
    this.data.fill(0xff, start, start + this.sectorBytes);
  }

  /** The same flash after a power cycle: same bytes, fresh counters, power on. */
  reboot(): MemFlash {
    return new MemFlash(this.sizeBytes / this.sectorBytes, this.sectorBytes, this.data);
  }

  private alive(): void {
    if (this.dead) throw new PowerCut();
  }

  private die(): never {
    this.dead = true;
    throw new PowerCut();
  }
}

/** A manual monotonic clock. */
export class FakeTick {
  now = 1000;
  nowMs(): number {
    return this.now;
  }
}

// ---- the world -------------------------------------------------------------

export interface TestCard {
  name: string;
  keys: CardKeys;
  card: Card;
  flash: MemFlash;
  tick: FakeTick;
  random: (n: number) => Uint8Array;
  views: CardView[];
  confirms: ConfirmRequest[];
  events: CardEvent[];
  pin: string | undefined;
  /** The holder's answer to confirmation requests (default: accept). */
  answer: (req: ConfirmRequest) => HolderAnswer;
  dead: boolean;
}

export interface WorldOptions {
  seed?: number;
  /** Ledger region of each card, in sectors (default 16) of sectorBytes (default 4096). */
  sectors?: number;
  sectorBytes?: number;
}

export class World {
  readonly authority: Signer;
  readonly sectors: number;
  readonly sectorBytes: number;
  epoch = 5;
  private seed: number;
  readonly cards: TestCard[] = [];

  constructor(opts: WorldOptions = {}) {
    this.seed = opts.seed ?? 0x7a11;
    this.sectors = opts.sectors ?? 16;
    this.sectorBytes = opts.sectorBytes ?? 4096;
    this.authority = new Signer(seededRandom(this.seed)(32));
  }

  private nextSeed(): number {
    this.seed = (Math.imul(this.seed, 1103515245) + 12345) >>> 0;
    return this.seed;
  }

  /** A provisioned card: keys, a formatted ledger and a certificate with `allowance`. */
  card(name: string, allowance = 100_00, opts: { currency?: string; epochFrom?: number; epochTo?: number; pin?: string; serial?: number } = {}): TestCard {
    const random = seededRandom(this.nextSeed());
    const keys = CardKeys.generate(random);
    const flash = new MemFlash(this.sectors, this.sectorBytes);
    const tc: TestCard = {
      name, keys, flash, tick: new FakeTick(), random, views: [], confirms: [], events: [], pin: opts.pin,
      answer: () => ({ accept: true, ...(opts.pin !== undefined ? { pin: opts.pin } : {}) }),
      dead: false,
      card: undefined as unknown as Card,
    };
    tc.card = this.open(tc);
    tc.card.installCertificate(this.certificate(keys, allowance, opts).bytes);
    this.cards.push(tc);
    return tc;
  }

  certificate(keys: CardKeys, allowance: number, opts: { currency?: string; epochFrom?: number; epochTo?: number; serial?: number } = {}) {
    return issueCertificate(this.authority, {
      cardId: keys.cardId,
      signKey: keys.signer.publicKey,
      dhKey: keys.dh.publicKey,
      account: 'acct',
      allowance,
      currency: opts.currency ?? 'EUR',
      epochFrom: opts.epochFrom ?? 1,
      epochTo: opts.epochTo ?? 100,
      serial: opts.serial ?? 1,
    });
  }

  revocations(version: number, revoked: Uint8Array[]) {
    return issueRevocations(this.authority, version, this.epoch, revoked);
  }

  epochNote(epoch: number) {
    return issueEpoch(this.authority, epoch);
  }

  /** Opens (boots) the card on its flash. */
  open(tc: TestCard): Card {
    return Card.open({
      keys: tc.keys,
      flash: tc.flash,
      random: tc.random,
      tick: tc.tick,
      authorities: [this.authority.publicKey],
      ...(tc.pin !== undefined ? { pin: tc.pin } : {}),
      confirm: { request: (req) => void tc.confirms.push(req) },
      screen: { show: (v) => void tc.views.push(v) },
      onEvent: (e) => void tc.events.push(e),
    });
  }

  /** Power cycle: the same flash bytes, a new Card object (RAM state lost). */
  reboot(tc: TestCard): void {
    tc.flash = tc.flash.reboot();
    tc.dead = false;
    tc.card = this.open(tc);
  }
}

// ---- the radio between two cards -------------------------------------------

export interface Delivery {
  /** Index of the message in this session (0: Noise message 1, ...). */
  index: number;
  from: 'payer' | 'payee';
  bytes: Uint8Array;
}

/** What the radio does to one message: the list of byte strings actually delivered (empty: dropped). */
export type Fault = (d: Delivery, history: Delivery[]) => Uint8Array[];

export interface RunOptions {
  amount?: number;
  /** Amount the payer enters when the offer names none. */
  payerAmount?: number;
  /** Offer without an amount (the payer proposes `payerAmount`). */
  openAmount?: boolean;
  mode?: 'qr' | 'tap';
  fault?: Fault;
  maxMessageBytes?: number;
  /** Counts the work of each side (the XS bench passes its meter). */
  meter?: { before(): void; after(side: 'payer' | 'payee'): void };
}

export interface RunResult {
  payer: SessionOutcome | undefined;
  payee: SessionOutcome | undefined;
  /** Every message sent, in order. */
  messages: Delivery[];
  /** A card lost power during the run. */
  cut: 'payer' | 'payee' | undefined;
  /** The refusal thrown by pay() or receive(), if any. */
  refused: TallyError | undefined;
}

/**
 * Runs one payment session between two cards over a fresh wire: the payee
 * makes an offer, the payer pays it, messages go back and forth (through
 * `fault`), the payer's holder answers, until nothing moves; then both ends
 * see the link close. A power cut stops the card that hit it.
 */
export function runPayment(payer: TestCard, payee: TestCard, opts: RunOptions = {}): RunResult {
  const max = opts.maxMessageBytes ?? 8192;
  const queue: ({ to: 'payer' | 'payee'; d: Delivery } | { to: 'payer' | 'payee'; close: true })[] = [];
  const messages: Delivery[] = [];
  const result: RunResult = { payer: undefined, payee: undefined, messages, cut: undefined, refused: undefined };
  const side = { payer, payee };
  let closedBy: { payer: boolean; payee: boolean } = { payer: false, payee: false };
  const link = (from: 'payer' | 'payee'): Link => ({
    maxMessageBytes: max,
    send: (bytes) => {
      if (side[from].dead) return;
      const d: Delivery = { index: messages.length, from, bytes: bytes.slice() };
      messages.push(d);
      const to = from === 'payer' ? 'payee' : 'payer';
      const out = opts.fault ? opts.fault(d, messages) : [d.bytes];
      for (const b of out) queue.push({ to, d: { ...d, bytes: b } });
    },
    close: () => {
      if (closedBy[from]) return;
      closedBy[from] = true;
      queue.push({ to: from === 'payer' ? 'payee' : 'payer', close: true });
    },
  });
  const guard = (who: 'payer' | 'payee', fn: () => void): void => {
    if (side[who].dead) return;
    opts.meter?.before();
    try {
      fn();
    } catch (e) {
      if (e instanceof PowerCut) {
        side[who].dead = true;
        result.cut = who;
        return;
      }
      throw e;
    } finally {
      opts.meter?.after(who);
    }
  };
  const watch = (tc: TestCard, who: 'payer' | 'payee') => {
    const before = tc.events.length;
    return () => {
      for (const e of tc.events.slice(before)) if (e.type === 'outcome') result[who] = e.outcome;
    };
  };
  const endPayer = watch(payer, 'payer');
  const endPayee = watch(payee, 'payee');
  let uri = '';
  try {
    guard('payee', () => {
      const s = payee.card.receive({
        ...(opts.openAmount ? {} : { amount: opts.amount ?? 1250 }),
        ...(opts.mode ? { mode: opts.mode } : {}),
        link: link('payee'),
      });
      uri = s.uri;
    });
    if (!uri) throw new Error('no offer');
    let confirmsSeen = payer.confirms.length;
    guard('payer', () => {
      payer.card.pay(uri, { link: link('payer'), ...(opts.mode ? { mode: opts.mode } : {}), ...(opts.payerAmount !== undefined ? { amount: opts.payerAmount } : {}) });
    });
    for (let steps = 0; steps < 1000; steps++) {
      // The holder answers a new confirmation request.
      if (!payer.dead && payer.confirms.length > confirmsSeen) {
        const req = payer.confirms[payer.confirms.length - 1]!;
        confirmsSeen = payer.confirms.length;
        guard('payer', () => void payer.card.confirm(payer.answer(req)));
        continue;
      }
      const next = queue.shift();
      if (!next) break;
      const tc = side[next.to];
      if ('close' in next) guard(next.to, () => tc.card.linkClosed());
      else guard(next.to, () => tc.card.deliver(next.d.bytes));
    }
  } catch (e) {
    if (e instanceof TallyError) result.refused = e;
    else throw e;
  } finally {
    // The radio goes quiet: both ends time out.
    guard('payer', () => payer.card.linkClosed());
    guard('payee', () => payee.card.linkClosed());
  }
  endPayer();
  endPayee();
  closedBy = { payer: true, payee: true };
  return result;
}

// ---- hand-driven peers, for hostile-peer tests ------------------------------

/** A link that keeps what is sent on it. */
export interface CaptureLink extends Link {
  sent: Uint8Array[];
  closed: boolean;
}
export function captureLink(maxMessageBytes = 8192): CaptureLink {
  const l: CaptureLink = {
    maxMessageBytes,
    sent: [],
    closed: false,
    send: (b) => void l.sent.push(b.slice()),
    close: () => void (l.closed = true),
  };
  return l;
}

/** A payer driven message by message with a real card's keys and certificate: it sends whatever the test makes it. */
export class RawPayer {
  readonly offer: PairingOffer;
  readonly hs: NoiseHandshake;
  transport: NoiseTransport | undefined;
  asked: Offer | undefined;

  constructor(
    readonly tc: TestCard,
    uri: string,
  ) {
    this.offer = decodePairing(uri);
    this.hs = createHandshake({
      protocol: PAYMENT_PROTOCOL, initiator: true, prologue: PAYMENT_PROLOGUE, s: tc.keys.dh.keyPair(),
      rs: this.offer.staticKey, psk: pskFromToken(this.offer.token), random: tc.random,
    });
  }

  hello(over: Partial<Hello> = {}): Uint8Array {
    const l = this.tc.card.ledger;
    const h: Hello = {
      type: 'hello', cert: l.certificate!.bytes, headSeq: l.seq, headHash: l.head,
      revocationVersion: l.revocations?.version ?? 0, epoch: l.epoch, ...over,
    };
    return encodeEnvelope('handshake1', this.hs.writeMessage(encodeMessage(h)));
  }

  /** Reads message 2 (an envelope); returns the offer or error it carries. */
  read2(bytes: Uint8Array): AppMessage {
    const env = decodeEnvelope(bytes);
    if (env.type === 'plainError') return decodeMessage(env.body);
    const m = decodeMessage(this.hs.readMessage(env.body));
    this.transport = this.hs.split();
    if (m.type === 'offer') this.asked = m;
    return m;
  }

  /** The payment body the honest payer would sign, with `over` applied. */
  body(over: Partial<PaymentBody> = {}): PaymentBody {
    const l = this.tc.card.ledger;
    const a = this.asked!;
    return {
      kind: 'payment', card: this.tc.keys.cardId, seq: l.seq + 1, prev: l.head, payee: this.offer.cardId,
      amount: a.amount, currency: a.currency, spentBefore: l.spent, nonce: a.nonce,
      handshakeHash: this.transport!.handshakeHash, epoch: l.epoch, certSerial: l.certificate!.serial, ...over,
    };
  }

  /** A sealed payment: the body signed by the card (or `signature`). */
  sealed(body: PaymentBody, signature?: Uint8Array): Uint8Array {
    const b = encodeRecordBody(body);
    return encodeCanonical([b, signature ?? this.tc.keys.signer.sign('payment', b)]);
  }

  /** A transport envelope carrying an application message. */
  send(m: AppMessage | Uint8Array): Uint8Array {
    const plain = m instanceof Uint8Array ? m : encodeMessage(m);
    return encodeEnvelope('transport', this.transport!.encrypt(plain));
  }

  read(bytes: Uint8Array): AppMessage {
    const env = decodeEnvelope(bytes);
    if (env.type === 'plainError') return decodeMessage(env.body);
    return decodeMessage(this.transport!.decrypt(env.body));
  }
}

/** A payee driven message by message with a real card's keys and certificate. */
export class RawPayee {
  readonly offer: PairingOffer;
  readonly uri: string;
  readonly hs: NoiseHandshake;
  transport: NoiseTransport | undefined;
  hello: Hello | undefined;

  constructor(
    readonly tc: TestCard,
    amount = 1250,
  ) {
    this.offer = { cardId: tc.keys.cardId, staticKey: tc.keys.dh.publicKey, bleAddress: new Uint8Array(6), token: tc.random(16), amount, currency: 'EUR' };
    this.uri = encodePairing(this.offer);
    this.hs = createHandshake({
      protocol: PAYMENT_PROTOCOL, initiator: false, prologue: PAYMENT_PROLOGUE, s: tc.keys.dh.keyPair(),
      psk: pskFromToken(this.offer.token), random: tc.random,
    });
  }

  read1(bytes: Uint8Array): Hello {
    const m = decodeMessage(this.hs.readMessage(decodeEnvelope(bytes).body));
    if (m.type !== 'hello') throw new Error(`expected hello, got ${m.type}`);
    return (this.hello = m);
  }

  /** Message 2: the honest offer with `over` applied. */
  offer2(over: Partial<Offer> = {}, nonce = this.tc.random(16)): Uint8Array {
    const l = this.tc.card.ledger;
    const o: Offer = {
      type: 'offer', cert: l.certificate!.bytes, revocationVersion: l.revocations?.version ?? 0, epoch: l.epoch,
      amount: this.offer.amount!, currency: 'EUR', nonce, ...over,
    };
    const out = encodeEnvelope('handshake2', this.hs.writeMessage(encodeMessage(o)));
    this.transport = this.hs.split();
    return out;
  }

  read(bytes: Uint8Array): AppMessage {
    const env = decodeEnvelope(bytes);
    if (env.type === 'plainError') return decodeMessage(env.body);
    return decodeMessage(this.transport!.decrypt(env.body));
  }

  /** A receipt for `payment` (sealed bytes), as the honest payee would sign it, with `over` applied. */
  receipt(payment: PaymentBody, paymentHash: Uint8Array, over: Partial<ReceiptBody> = {}, signature?: Uint8Array): Uint8Array {
    const l = this.tc.card.ledger;
    const b = encodeRecordBody({
      kind: 'receipt', card: this.tc.keys.cardId, seq: l.seq + 1, prev: l.head, payer: payment.card,
      amount: payment.amount, currency: payment.currency, paymentHash, epoch: l.epoch, ...over,
    });
    const sealed = encodeCanonical([b, signature ?? this.tc.keys.signer.sign('receipt', b)]);
    return encodeEnvelope('transport', this.transport!.encrypt(encodeMessage({ type: 'receipt', receipt: sealed })));
  }
}
