// The Card: one card's keys, ledger and payment sessions behind one object.
// The firmware, the simulator and the serial protocol drive cards through it:
//
//   const card = Card.open({ keys, flash, random, tick, authorities, link, confirm, screen });
//   payee: const s = card.receive({ amount: 1250 });   // show s.uri as a QR code
//   payer: card.pay(decodePairing(uri));               // sends Noise message 1 on the link
//   both:  card.deliver(bytes) for every link message; card.linkClosed() when it drops
//   payer: card.confirm({ accept: true }) when the holder presses the button
//   sync:  card.chain(), card.applyAck(...), card.applyLoad(...), card.applyRevocations(...)
//
// Everything the world does reaches the card as a call; everything the card
// does to the world goes through its ports. One session runs at a time.
import { toHex } from './bytes.js';
import { decodeCertificate, trustedAuthorities, verifyCertificate, type TrustedAuthorities } from './cert.js';
import { ArgumentError, TallyError, fail, tallyError, type ErrorCode } from './errors.js';
import type { CardKeys, Random } from './identity.js';
import { Ledger, checkStatementAny, type Credit, type LedgerRecord } from './ledger/index.js';
import { CertCache, NonceIssuer } from './payment/common.js';
import { decodeEnvelope, encodeEnvelope, encodeMessage, errorMessage } from './payment/messages.js';
import { PayeeSession, type ReceiveRequest } from './payment/payee.js';
import { PayerSession, type HolderAnswer, type PayRequest } from './payment/payer.js';
import { PinGate } from './payment/pin.js';
import type { Session, SessionHost, SessionOutcome } from './payment/session.js';
import type { CardView } from './payment/views.js';
import { decodePairing, type PairingOffer } from './pairing.js';
import type { Confirm, ConfirmRequest, Flash, Link, Screen, Tick } from './ports.js';
import { decodeAck, decodeEpoch, decodeLoad, decodeRevocations, type ChainRecord } from './records.js';
import { equalBytes } from './bytes.js';

export interface CardOptions {
  /** The card's keys, from its key store (never from the ledger region). */
  keys: CardKeys;
  /** The ledger's flash region. */
  flash: Flash;
  random: Random;
  tick: Tick;
  /** Public keys of the authorities this card trusts. */
  authorities: Uint8Array[];
  /** The default link for sessions (pay and receive may pass their own). */
  link?: Link;
  confirm?: Confirm;
  screen?: Screen<CardView>;
  /** The holder's PIN, when payments need one. */
  pin?: string;
  /** The card's BLE address, written into its offers. */
  bleAddress?: Uint8Array;
  /** Every session outcome and every refused message. */
  onEvent?: (e: CardEvent) => void;
}

export type CardEvent =
  | { type: 'outcome'; outcome: SessionOutcome }
  /** A message was refused without changing any session (stray, duplicate, or an undecryptable hello). */
  | { type: 'refused'; code: ErrorCode; message: string };

/** One line of the card's history. */
export interface HistoryItem {
  direction: 'in' | 'out';
  amount: number;
  currency: string;
  /** Seq of the payment (out) or receipt (in) record in this card's chain. */
  seq: number;
  /** The other card (hex). */
  peer: string;
  /** A payment out still waiting for its receipt. */
  pending: boolean;
}

export interface CardStatus {
  cardId: string;
  /** Chain head. */
  seq: number;
  head: string;
  /** Spent offline over the card's life, received, and what it may still spend (allowance - spent). */
  spent: number;
  received: number;
  allowance: number;
  available: number;
  currency: string | undefined;
  certSerial: number | undefined;
  epoch: number;
  revocationVersion: number;
  /** Payments without a receipt yet. */
  pending: number;
  pinFailures: number;
  session: { role: 'payer' | 'payee'; phase: string } | undefined;
}

const noLink: Link = {
  maxMessageBytes: 0,
  send: () => fail(4015, 'the card has no link'),
  close: () => undefined,
};

export class Card implements SessionHost {
  readonly keys: CardKeys;
  readonly ledger: Ledger;
  readonly trusted: TrustedAuthorities;
  readonly random: Random;
  readonly tick: Tick;
  readonly certs = new CertCache();
  readonly nonces: NonceIssuer;
  readonly pin: PinGate;
  private readonly opts: CardOptions;
  private active: Session | undefined;
  /** The last session (finished or not), for inspection. */
  last: Session | undefined;

  private constructor(opts: CardOptions, ledger: Ledger) {
    this.opts = opts;
    this.keys = opts.keys;
    this.ledger = ledger;
    this.trusted = trustedAuthorities(opts.authorities);
    this.random = opts.random;
    this.tick = opts.tick;
    this.nonces = new NonceIssuer(opts.keys.signer.exportSecret());
    this.pin = new PinGate(opts.pin, ledger, opts.tick);
  }

  /** Boots a card: recovers its ledger from flash (a torn last entry is dropped). */
  static open(opts: CardOptions): Card {
    if (!opts || typeof opts !== 'object') throw new ArgumentError('options', 'CardOptions');
    if (typeof opts.random !== 'function') throw new ArgumentError('random', 'a function returning random bytes');
    if (!Array.isArray(opts.authorities) || opts.authorities.length === 0) throw new ArgumentError('authorities', 'at least one authority key');
    return new Card(opts, Ledger.open(opts.flash, opts.keys.cardId));
  }

  /** Erases the ledger region (provisioning only). */
  static format(flash: Flash): void {
    Ledger.format(flash);
  }

  get cardId(): Uint8Array {
    return this.keys.cardId;
  }

  /** The running session, if any. */
  get session(): Session | undefined {
    return this.active;
  }

  // ---- payments --------------------------------------------------------------

  /** Starts paying an offer (a decoded QR/advertisement or its tally: URI). Throws the coded refusal; nothing is sent then. */
  pay(offer: PairingOffer | string, opts: { amount?: number; mode?: 'qr' | 'tap'; link?: Link } = {}): PayerSession {
    this.idle();
    const req: PayRequest = { offer: typeof offer === 'string' ? decodePairing(offer) : offer };
    if (opts.amount !== undefined) req.amount = opts.amount;
    if (opts.mode !== undefined) req.mode = opts.mode;
    const s = new PayerSession(this, opts.link ?? this.opts.link ?? noLink, req);
    this.active = this.last = s;
    try {
      s.start();
    } catch (e) {
      this.active = undefined;
      throw e;
    }
    return s;
  }

  /** Makes a one-time offer (new token) and waits for a payer. Show `uri` as a QR code or advertise the offer. */
  receive(req: ReceiveRequest & { link?: Link } = {}): PayeeSession {
    this.idle();
    const r: ReceiveRequest = { ...req };
    if (r.bleAddress === undefined && this.opts.bleAddress) r.bleAddress = this.opts.bleAddress;
    const s = new PayeeSession(this, req.link ?? this.opts.link ?? noLink, r);
    this.active = this.last = s;
    return s;
  }

  /** A payer connected to the waiting offer over `link` (e.g. a BLE central): the session answers on it. */
  attach(link: Link): void {
    const s = this.active;
    if (!(s instanceof PayeeSession)) throw tallyError(4013, 'no offer is waiting for a payer');
    s.attach(link);
  }

  /** One message from the link. Never throws for bad input: refusals are events and error replies. */
  deliver(bytes: Uint8Array): void {
    const s = this.active;
    let type: string | undefined;
    try {
      type = decodeEnvelope(bytes).type;
    } catch {
      type = undefined;
    }
    // A second Noise message 1 for an offer whose token is spent.
    const spent = s instanceof PayeeSession ? s.tokenUsed : this.last instanceof PayeeSession && this.last.tokenUsed;
    if (type === 'handshake1' && spent) return this.refuse(s?.link ?? this.last!.link, 4012, 'this offer was already used');
    if (!s) return this.refuse(this.opts.link, 4013, 'no payment session is open');
    s.receive(bytes);
  }

  /** The holder's answer to a confirmation request (button or PIN). */
  confirm(answer: HolderAnswer): 'sent' | 4010 | 'ended' {
    const s = this.active;
    if (!(s instanceof PayerSession)) throw tallyError(4013, 'no confirmation is pending');
    const r = s.confirm(answer);
    if (r === 4010) this.emit({ type: 'refused', code: 4010, message: tallyError(4010, `${this.pin.attemptsLeft} attempts left`).message });
    return r;
  }

  /** The link dropped or timed out. */
  linkClosed(): void {
    this.active?.linkClosed();
  }

  /** The holder or the program gives up the running session. */
  cancel(): void {
    this.active?.cancel();
  }

  /** Shows the resting screen. */
  home(): void {
    const st = this.status();
    this.show({ screen: 'home', available: st.available, received: st.received, currency: st.currency ?? '', pending: st.pending });
  }

  // ---- sync (the bridge calls these with the authority's signed statements) ---

  /** Installs a certificate issued at provisioning (5006 when not for this card's keys, 5007 when not newer). */
  installCertificate(bytes: Uint8Array): void {
    const cert = decodeCertificate(bytes);
    verifyCertificate(cert, this.trusted, { epoch: Math.max(this.ledger.epoch, cert.epochFrom), cardId: this.cardId });
    this.checkOwnCert(cert.signKey, cert.dhKey, cert.serial, cert.currency);
    this.ledger.appendNote('cert', bytes);
  }

  /** Records an allowance load: its certificate becomes the card's. */
  applyLoad(bytes: Uint8Array): void {
    const load = decodeLoad(bytes);
    checkStatementAny('load', load.sealed, this.trusted);
    if (!equalBytes(load.card, this.cardId)) fail(5006, 'the load is for another card');
    verifyCertificate(load.cert, this.trusted, { epoch: Math.max(load.epoch, load.cert.epochFrom), cardId: this.cardId });
    this.checkOwnCert(load.cert.signKey, load.cert.dhKey, load.cert.serial, load.cert.currency);
    this.ledger.appendLoad(load);
  }

  /** Records a sync acknowledgement and compacts the ledger. */
  applyAck(bytes: Uint8Array): void {
    this.idle();
    const ack = decodeAck(bytes);
    checkStatementAny('ack', ack.sealed, this.trusted);
    this.ledger.appendAck(ack);
  }

  /** Keeps a newer revocation list; false when it is not newer than the card's. */
  applyRevocations(bytes: Uint8Array): boolean {
    const rev = decodeRevocations(bytes);
    const cur = this.ledger.revocations;
    if (cur && rev.version <= cur.version) return false;
    checkStatementAny('revocations', rev.sealed, this.trusted);
    this.ledger.appendNote('rev', bytes);
    return true;
  }

  /** Keeps a newer epoch note; false when it does not raise the card's epoch. */
  applyEpochNote(bytes: Uint8Array): boolean {
    const note = decodeEpoch(bytes);
    if (note.epoch < this.ledger.epoch || note.epoch <= (this.ledger.epochNote?.epoch ?? -1)) return false;
    checkStatementAny('epoch', note.sealed, this.trusted);
    this.ledger.appendNote('epoch', bytes);
    return true;
  }

  /** Chain records from `fromSeq` on (body, signature, attachment), for upload. */
  chain(fromSeq = 1): ChainRecord[] {
    return this.ledger.chain(fromSeq);
  }

  /** Full check of the ledger (signatures included). */
  verifyLedger(peerKey?: (cardId: Uint8Array) => Uint8Array | undefined): void {
    this.ledger.verify(this.keys.signer.publicKey, this.trusted, peerKey);
  }

  records(): readonly LedgerRecord[] {
    return this.ledger.records;
  }

  /** Payments out and in that the ledger still holds, newest first. */
  history(offset = 0, limit = 20): { entries: HistoryItem[]; total: number } {
    const all: HistoryItem[] = [];
    const l = this.ledger;
    const credits = new Map<number, Credit>();
    for (const c of l.credits.values()) credits.set(c.record.seq, c);
    for (let i = l.records.length - 1; i >= 0; i--) {
      const r = l.records[i]!;
      if (r.kind === 'payment') {
        const p = l.payments.get(toHex(r.hash));
        if (!p) continue;
        all.push({ direction: 'out', amount: p.body.amount, currency: p.body.currency, seq: r.seq, peer: toHex(p.body.payee), pending: p.receiptSeq === undefined && r.seq > l.base.seq });
      } else if (r.kind === 'receipt') {
        const c = credits.get(r.seq);
        if (c) all.push({ direction: 'in', amount: c.payment.amount, currency: c.payment.currency, seq: r.seq, peer: toHex(c.payment.card), pending: false });
      }
    }
    return { entries: all.slice(offset, offset + limit), total: all.length };
  }

  status(): CardStatus {
    const l = this.ledger;
    const cert = l.certificate;
    const spent = l.spent;
    return {
      cardId: toHex(this.cardId),
      seq: l.seq,
      head: toHex(l.head),
      spent,
      received: l.received,
      allowance: cert?.allowance ?? 0,
      available: Math.max(0, (cert?.allowance ?? 0) - spent),
      currency: cert?.currency,
      certSerial: cert?.serial,
      epoch: l.epoch,
      revocationVersion: l.revocations?.version ?? 0,
      pending: l.pending().length,
      pinFailures: l.pinFailures,
      session: this.active ? { role: this.active.role, phase: this.active.phase } : undefined,
    };
  }

  toJSON(): { cardId: string } {
    return { cardId: toHex(this.cardId) };
  }

  // ---- SessionHost -------------------------------------------------------------

  show(view: CardView): void {
    this.opts.screen?.show(view);
  }

  requestConfirm(req: ConfirmRequest): void {
    this.opts.confirm?.request(req);
  }

  adoptRevocations(sealed: Uint8Array): void {
    const rev = decodeRevocations(sealed);
    const cur = this.ledger.revocations;
    if (cur && rev.version <= cur.version) return;
    checkStatementAny('revocations', rev.sealed, this.trusted);
    // A peer's news is kept when there is room; sync brings it otherwise.
    this.ledger.tryAppendNote('rev', sealed);
  }

  adoptEpochNote(sealed: Uint8Array): void {
    const note = decodeEpoch(sealed);
    if (note.epoch <= this.ledger.epoch) return;
    checkStatementAny('epoch', note.sealed, this.trusted);
    this.ledger.tryAppendNote('epoch', sealed);
  }

  sessionEnded(s: Session): void {
    if (this.active === s) this.active = undefined;
    if (s.outcome) this.emit({ type: 'outcome', outcome: s.outcome });
  }

  // ---- internals ---------------------------------------------------------------

  private idle(): void {
    if (this.active && !this.active.finished) fail(4018, `${this.active.role} session in phase ${this.active.phase}`);
  }

  private checkOwnCert(signKey: Uint8Array, dhKey: Uint8Array, serial: number, currency: string): void {
    if (!equalBytes(signKey, this.keys.signer.publicKey) || !equalBytes(dhKey, this.keys.dh.publicKey)) fail(5006, 'the certificate holds other keys');
    const cur = this.ledger.certificate;
    if (cur && serial <= cur.serial) fail(5007, `certificate serial ${serial}, the card holds ${cur.serial}`);
    if (cur && currency !== cur.currency) fail(5006, `currency ${currency}, the card holds ${cur.currency}`);
  }

  /** Refuses a message without touching any session: a plaintext error back, and an event. */
  refuse(link: Link | undefined, code: ErrorCode, detail: string): void {
    const e = tallyError(code, detail);
    if (link) {
      try {
        const out = encodeEnvelope('plainError', encodeMessage(errorMessage(code, e.message)));
        if (out.length <= link.maxMessageBytes) link.send(out);
      } catch (err) {
        if (!(err instanceof TallyError)) throw err;
      }
    }
    this.emit({ type: 'refused', code, message: e.message });
  }

  private emit(e: CardEvent): void {
    this.opts.onEvent?.(e);
  }
}
