// The payer's state machine (docs/protocol.md, "The payment, step by step").
//
//   start            -> Noise message 1 (hello)                      phase 'hello'
//   message 2 (offer) -> checks; confirmation asked                  phase 'confirm'
//                    (or, with a pending payment to this payee, the retry is sent at once)
//   holder confirms  -> debit written to flash, THEN payment sent     phase 'receipt'
//   receipt          -> checks; receipt-in written                   done
import { equalBytes, toHex } from '../bytes.js';
import type { Certificate } from '../cert.js';
import { fail, tallyError } from '../errors.js';
import { PAY_FRAME_BOUND, RECEIPT_IN_FRAME_BOUND, type PaymentOut } from '../ledger/index.js';
import { createHandshake } from '../noise/index.js';
import { pskFromToken, type PairingOffer } from '../pairing.js';
import type { Link } from '../ports.js';
import { checkSignature } from '../identity.js';
import { decodeRecordBody, decodeSealedRecord, encodeRecordBody, recordHash, type PaymentBody, type ReceiptBody } from '../records.js';
import { PAYMENT_PROLOGUE, PAYMENT_PROTOCOL, comparisonCode, isRevoked } from './common.js';
import { decodeMessage, encodeMessage, type EnvelopeMessage, type Offer, type PaymentMessage } from './messages.js';
import { Session, type SessionHost } from './session.js';

export interface PayRequest {
  /** The payee's offer: from its QR code, or its tap advertisement. */
  offer: PairingOffer;
  /** The amount, when the offer names none (the payer enters it). */
  amount?: number;
  /** 'tap': the 4-digit code from the handshake hash is shown and confirmed. Default 'qr'. */
  mode?: 'qr' | 'tap';
}

export interface HolderAnswer {
  accept: boolean;
  /** The PIN, when the card has one. */
  pin?: string;
}

export class PayerSession extends Session {
  readonly offer: PairingOffer;
  readonly mode: 'qr' | 'tap';
  readonly amount: number;
  readonly currency: string;
  /** A payment to this payee still without a receipt: this session retries it. */
  readonly retry: PaymentOut | undefined;
  private readonly own: Certificate;
  private payee: Certificate | undefined;
  private offerMsg: Offer | undefined;
  private handshakeHash: Uint8Array | undefined;
  /** The 4-digit comparison code (tap), once the channel is up. */
  code: string | undefined;
  private payment: PaymentOut | undefined;

  /** Checks what can be checked before any radio traffic; throws the coded error (nothing sent, nothing written). */
  constructor(host: SessionHost, link: Link, req: PayRequest) {
    super(host, link, 'payer');
    const ledger = host.ledger;
    const own = ledger.certificate;
    if (!own) fail(4019);
    this.own = own;
    if (ledger.epoch > own.epochTo) fail(2004, `own certificate ended at epoch ${own.epochTo}`);
    const offer = req.offer;
    if (equalBytes(offer.cardId, host.keys.cardId)) fail(4004, 'a card cannot pay itself');
    this.offer = offer;
    this.mode = req.mode ?? 'qr';
    this.currency = offer.currency ?? own.currency;
    if (this.currency !== own.currency) fail(4020, `${this.currency}, certificate in ${own.currency}`);
    if (req.amount !== undefined && offer.amount !== undefined && req.amount !== offer.amount) fail(4001, 'the amount entered differs from the offer');
    this.retry = ledger.pendingFor(offer.cardId);
    const amount = offer.amount ?? req.amount ?? this.retry?.body.amount;
    if (amount === undefined || !Number.isSafeInteger(amount) || amount < 1) fail(4001, 'no amount');
    this.amount = amount;
  }

  /** Sends Noise message 1 (hello). */
  start(): void {
    const host = this.host;
    const ledger = host.ledger;
    this.hs = createHandshake({
      protocol: PAYMENT_PROTOCOL,
      initiator: true,
      prologue: PAYMENT_PROLOGUE,
      s: host.keys.dh.keyPair(),
      rs: this.offer.staticKey,
      psk: pskFromToken(this.offer.token),
      random: host.random,
    });
    const hello = encodeMessage({
      type: 'hello',
      cert: this.own.bytes,
      headSeq: ledger.seq,
      headHash: ledger.head,
      revocationVersion: ledger.revocations?.version ?? 0,
      epoch: ledger.epoch,
      ...(this.offer.amount === undefined ? { amount: this.amount } : {}),
    });
    this.send('handshake1', this.hs.writeMessage(hello));
    this.phase = 'hello';
    host.show({ screen: 'working', step: 'connecting' });
  }

  protected onEnvelope(env: EnvelopeMessage): void {
    if (this.phase === 'hello') return this.onOffer(env);
    if (this.phase === 'receipt') return this.onReceipt(env);
    // While the holder decides, only an error from the peer is expected.
    const m = this.readTransport(env);
    if (m) throw tallyError(4013, `${m.type} while ${this.phase}`);
  }

  private onOffer(env: EnvelopeMessage): void {
    if (env.type !== 'handshake2') throw tallyError(4013, `${env.type} while waiting for the offer`);
    const host = this.host;
    const ledger = host.ledger;
    const m = decodeMessage(this.hs!.readMessage(env.body));
    this.transport = this.hs!.split();
    this.handshakeHash = this.transport.handshakeHash;
    if (m.type === 'error') return this.peerError(m);
    if (m.type !== 'offer') throw tallyError(4013, `${m.type} instead of an offer`);
    this.offerMsg = m;
    // News from the payee first: it may revoke the payee itself or end its certificate.
    if (m.epochNote) host.adoptEpochNote(m.epochNote);
    if (m.revocations) host.adoptRevocations(m.revocations);
    const payee = host.certs.verify(m.cert, host.trusted, ledger.epoch);
    if (!equalBytes(payee.cardId, this.offer.cardId)) fail(4004, 'the certificate is not the offer card');
    if (!equalBytes(payee.dhKey, this.offer.staticKey)) fail(4004, 'the certificate does not hold the offer key');
    if (isRevoked(ledger.revocations, payee.cardId)) fail(4003, 'payee');
    if (m.currency !== this.currency) fail(4001, `currency ${m.currency}, expected ${this.currency}`);
    if (payee.currency !== this.currency) fail(4020, `payee certificate in ${payee.currency}`);
    if (ledger.epoch > this.own.epochTo) fail(2004, `own certificate ended at epoch ${this.own.epochTo}`);
    this.payee = payee;
    if (this.retry) {
      this.sendPayment(this.retry);
      this.phase = 'receipt';
      host.show({ screen: 'working', step: 'retrying' });
      return;
    }
    if (m.amount !== this.amount) fail(4001, `asked ${m.amount}, expected ${this.amount}`);
    if (ledger.spent + this.amount > this.own.allowance) fail(4002, `spent ${ledger.spent} + ${this.amount} > ${this.own.allowance}`);
    if (!ledger.fits([PAY_FRAME_BOUND, RECEIPT_IN_FRAME_BOUND])) fail(5002, 'no room for the payment and its receipt');
    const wait = host.pin.waitMs();
    if (wait > 0) {
      host.show({ screen: 'locked', waitMs: wait });
      fail(4011, `wait ${Math.ceil(wait / 1000)} s`);
    }
    if (this.mode === 'tap') this.code = comparisonCode(this.handshakeHash);
    this.phase = 'confirm';
    this.askHolder();
  }

  private askHolder(attemptsLeft?: number): void {
    const host = this.host;
    const pin = host.pin.required;
    host.show({
      screen: 'confirm', amount: this.amount, currency: this.currency, payee: toHex(this.offer.cardId), pin,
      ...(this.code ? { code: this.code } : {}),
      ...(attemptsLeft !== undefined ? { attemptsLeft } : {}),
    });
    host.requestConfirm({ amount: this.amount, currency: this.currency, ...(this.code ? { code: this.code } : {}), ...(pin ? { pin } : {}) });
  }

  /**
   * The holder's answer. A wrong PIN with attempts left asks again (and
   * returns 4010); otherwise the debit is written and the payment sent.
   * Throws 4013 when no confirmation is pending.
   */
  confirm(answer: HolderAnswer): 'sent' | 4010 | 'ended' {
    if (this.phase !== 'confirm' || this.finished) throw tallyError(4013, 'no confirmation is pending');
    const host = this.host;
    const ledger = host.ledger;
    try {
      const wait = host.pin.waitMs();
      if (wait > 0) fail(4011, `wait ${Math.ceil(wait / 1000)} s`);
      if (!answer.accept) {
        if (this.mode === 'tap') host.pin.failed();
        fail(4009);
      }
      if (!host.pin.matches(answer.pin)) {
        host.pin.failed();
        if (host.pin.waitMs() > 0 || host.pin.attemptsLeft === 0) fail(4011, 'too many wrong PINs');
        this.askHolder(host.pin.attemptsLeft);
        return 4010;
      }
      host.pin.succeeded();
      const offer = this.offerMsg!;
      const fields: PaymentBody = {
        kind: 'payment',
        card: host.keys.cardId,
        seq: ledger.seq + 1,
        prev: ledger.head,
        payee: this.offer.cardId,
        amount: this.amount,
        currency: this.currency,
        spentBefore: ledger.spent,
        nonce: offer.nonce,
        handshakeHash: this.handshakeHash!,
        epoch: ledger.epoch,
        certSerial: this.own.serial,
      };
      const body = encodeRecordBody(fields);
      const signature = host.keys.signer.sign('payment', body);
      // The debit is on flash before the signature leaves the card.
      this.payment = ledger.appendPayment(body, signature, { bytes: body, payment: fields, hash: recordHash(body) });
      this.sendPayment(this.payment);
      this.phase = 'receipt';
      host.show({ screen: 'working', step: 'paying' });
      return 'sent';
    } catch (e) {
      this.abort(e);
      return 'ended';
    }
  }

  private sendPayment(p: PaymentOut): void {
    this.payment = p;
    const ledger = this.host.ledger;
    const offer = this.offerMsg!;
    const msg: PaymentMessage = { type: 'payment', payment: p.sealed };
    const rev = ledger.revocations;
    if (rev && rev.version > offer.revocationVersion) msg.revocations = rev.sealed.bytes;
    const note = ledger.epochNote;
    if (note && note.epoch > offer.epoch) msg.epochNote = note.sealed.bytes;
    this.sendTransport(msg);
  }

  private onReceipt(env: EnvelopeMessage): void {
    const m = this.readTransport(env);
    if (!m) return;
    if (m.type !== 'receipt') throw tallyError(4013, `${m.type} instead of a receipt`);
    const p = this.payment!;
    const rec = decodeSealedRecord(m.receipt);
    const b = decodeRecordBody(rec.body);
    if (b.kind !== 'receipt') fail(4017, `a ${b.kind} record`);
    const r = b as ReceiptBody;
    if (!equalBytes(r.card, this.payee!.cardId) || !equalBytes(r.payer, this.host.keys.cardId)) fail(4017, 'cards');
    if (r.amount !== p.body.amount || r.currency !== p.body.currency || !equalBytes(r.paymentHash, p.record.hash)) fail(4017, 'another payment');
    checkSignature('receipt', rec.body, rec.signature!, this.payee!.signKey, 'receipt');
    this.host.ledger.appendReceiptIn(p, r, rec.body, rec.signature!);
    this.end(
      { status: 'done', role: 'payer', amount: p.body.amount, currency: p.body.currency, peer: this.offer.cardId, paymentHash: p.record.hash, recovered: this.retry !== undefined },
      false,
    );
  }
}
