// The payee's state machine (docs/protocol.md, "The payment, step by step").
//
//   receive()           -> offer shown (QR / advertisement)          phase 'offer'
//   Noise message 1     -> checks; Noise message 2 (offer or error)  phase 'payment'
//   payment             -> checks; credit written to flash, THEN receipt sent; done
//   payment already credited (a retry) -> the same receipt again; done
import { equalBytes, toHex } from '../bytes.js';
import type { Certificate } from '../cert.js';
import { TallyError, fail, tallyError } from '../errors.js';
import { BLE_ADDRESS_BYTES, TOKEN_BYTES, encodePairing, pskFromToken, type PairingOffer } from '../pairing.js';
import { checkSignature } from '../identity.js';
import { CREDIT_FRAME_BOUND } from '../ledger/index.js';
import { createHandshake } from '../noise/index.js';
import type { Link } from '../ports.js';
import { decodeRecordBody, decodeSealedRecord, recordHash, type PaymentBody } from '../records.js';
import { PAYMENT_PROLOGUE, PAYMENT_PROTOCOL, comparisonCode, isRevoked } from './common.js';
import { LINK_MESSAGE_MAX, decodeEnvelope, decodeMessage, encodeMessage, type EnvelopeMessage, type Hello, type Offer } from './messages.js';
import { Session, type SessionHost } from './session.js';

export interface ReceiveRequest {
  /** The amount asked; without it the payer proposes one. */
  amount?: number;
  /** Defaults to the currency of the card's certificate (the only one it accepts). */
  currency?: string;
  /** 'tap': the offer travels in a BLE advertisement and both screens show the comparison code. Default 'qr'. */
  mode?: 'qr' | 'tap';
  /** The card's BLE address for the offer (6 bytes); zeros when the program gives none. */
  bleAddress?: Uint8Array;
}

export class PayeeSession extends Session {
  /** The offer as the payer reads it (QR code or advertisement). */
  readonly offer: PairingOffer;
  /** The offer as a tally: URI (the QR payload). */
  readonly uri: string;
  readonly mode: 'qr' | 'tap';
  readonly currency: string;
  /** Set once a Noise message 1 decrypted with this offer's token: the token is spent. */
  tokenUsed = false;
  private readonly own: Certificate;
  private payer: Certificate | undefined;
  private hello: Hello | undefined;
  private asked: Offer | undefined;
  private handshakeHash: Uint8Array | undefined;
  code: string | undefined;

  constructor(host: SessionHost, link: Link, req: ReceiveRequest) {
    super(host, link, 'payee');
    const own = host.ledger.certificate;
    if (!own) fail(4019);
    this.own = own;
    this.currency = req.currency ?? own.currency;
    if (this.currency !== own.currency) fail(4020, `${this.currency}, certificate in ${own.currency}`);
    if (req.amount !== undefined && (!Number.isSafeInteger(req.amount) || req.amount < 1)) fail(4001, 'amount');
    if (!host.ledger.fits([CREDIT_FRAME_BOUND])) fail(5002, 'no room for a credit');
    this.mode = req.mode ?? 'qr';
    const offer: PairingOffer = {
      cardId: host.keys.cardId,
      staticKey: host.keys.dh.publicKey,
      bleAddress: req.bleAddress ?? new Uint8Array(BLE_ADDRESS_BYTES),
      token: host.random(TOKEN_BYTES),
    };
    if (req.amount !== undefined) {
      offer.amount = req.amount;
      offer.currency = this.currency;
    }
    this.offer = offer;
    this.uri = encodePairing(offer);
    this.phase = 'offer';
    host.show({ screen: 'offer', uri: this.uri, mode: this.mode, currency: this.currency, ...(req.amount !== undefined ? { amount: req.amount } : {}) });
  }

  /**
   * While the offer waits for its payer, a message that does not open a
   * channel with this offer's token is refused and changes nothing: the
   * offer stays open for the real payer.
   */
  override receive(bytes: Uint8Array): void {
    if (this.phase !== 'offer') return super.receive(bytes);
    let env: EnvelopeMessage;
    try {
      env = decodeEnvelope(bytes, Math.min(LINK_MESSAGE_MAX, this.link.maxMessageBytes));
      if (env.type !== 'handshake1') throw tallyError(4013, `${env.type} before the handshake`);
    } catch (e) {
      if (!(e instanceof TallyError)) throw e;
      return this.host.refuse(this.link, e.code, e.detail || e.message);
    }
    try {
      this.onHello(env);
    } catch (e) {
      this.abort(e);
    }
  }

  protected onEnvelope(env: EnvelopeMessage): void {
    return this.onPayment(env);
  }

  /**
   * Noise message 1. One that does not decrypt changes nothing (the offer
   * stays open, a plaintext error goes back); one that does spends the token.
   */
  private onHello(env: EnvelopeMessage): void {
    const host = this.host;
    const hs = createHandshake({
      protocol: PAYMENT_PROTOCOL,
      initiator: false,
      prologue: PAYMENT_PROLOGUE,
      s: host.keys.dh.keyPair(),
      psk: pskFromToken(this.offer.token),
      random: host.random,
    });
    let payload: Uint8Array;
    try {
      payload = hs.readMessage(env.body);
    } catch (e) {
      if (!(e instanceof TallyError)) throw e;
      return host.refuse(this.link, e.code, e.detail || 'message 1');
    }
    this.hs = hs;
    this.tokenUsed = true;
    this.phase = 'hello';
    const ledger = host.ledger;
    const m = decodeMessage(payload);
    if (m.type !== 'hello') throw tallyError(4013, `${m.type} instead of hello`);
    this.hello = m;
    const payer = host.certs.verify(m.cert, host.trusted, ledger.epoch);
    const rs = hs.remoteStatic();
    if (!rs || !equalBytes(payer.dhKey, rs)) fail(4004, 'the certificate does not hold the Noise static key');
    if (equalBytes(payer.cardId, host.keys.cardId)) fail(4004, 'a card cannot pay itself');
    if (isRevoked(ledger.revocations, payer.cardId)) fail(4003, 'payer');
    if (payer.currency !== this.currency) fail(4020, `payer certificate in ${payer.currency}`);
    if (ledger.epoch > this.own.epochTo) fail(2004, `own certificate ended at epoch ${this.own.epochTo}`);
    const amount = this.offer.amount ?? m.amount;
    if (amount === undefined) fail(4001, 'no amount asked or proposed');
    if (!ledger.fits([CREDIT_FRAME_BOUND])) fail(5002, 'no room for a credit');
    this.payer = payer;
    const offer: Offer = {
      type: 'offer',
      cert: this.own.bytes,
      revocationVersion: ledger.revocations?.version ?? 0,
      epoch: ledger.epoch,
      amount,
      currency: this.currency,
      nonce: host.nonces.make(ledger.seq, host.random(4), payer.cardId, amount, this.currency),
    };
    const rev = ledger.revocations;
    if (rev && rev.version > m.revocationVersion) offer.revocations = rev.sealed.bytes;
    const note = ledger.epochNote;
    if (note && note.epoch > m.epoch) offer.epochNote = note.sealed.bytes;
    this.asked = offer;
    this.send('handshake2', hs.writeMessage(encodeMessage(offer)));
    this.transport = hs.split();
    this.handshakeHash = this.transport.handshakeHash;
    this.phase = 'payment';
    if (this.mode === 'tap') {
      this.code = comparisonCode(this.handshakeHash);
      host.show({ screen: 'code', code: this.code, amount, currency: this.currency });
    } else {
      host.show({ screen: 'working', step: 'crediting' });
    }
  }

  private onPayment(env: EnvelopeMessage): void {
    if (this.phase !== 'payment') throw tallyError(4013, `${env.type} while ${this.phase}`);
    const m = this.readTransport(env);
    if (!m) return;
    if (m.type !== 'payment') throw tallyError(4013, `${m.type} instead of a payment`);
    const host = this.host;
    const ledger = host.ledger;
    const hello = this.hello!;
    const asked = this.asked!;
    let payer = this.payer!;
    if (m.epochNote) host.adoptEpochNote(m.epochNote);
    if (m.revocations) host.adoptRevocations(m.revocations);
    const rec = decodeSealedRecord(m.payment);
    const b = decodeRecordBody(rec.body);
    if (b.kind !== 'payment') fail(1012, `a ${b.kind} record instead of a payment`);
    const p = b as PaymentBody;
    if (!equalBytes(p.card, payer.cardId)) fail(4004, 'the payment is from another card');
    const hash = recordHash(rec.body);
    const done = ledger.credits.get(toHex(hash));
    if (done) {
      // Already credited (a retry after a lost receipt): the same receipt again, nothing written.
      this.sendTransport({ type: 'receipt', receipt: done.sealedReceipt });
      return this.finish(p, hash, true);
    }
    if (!equalBytes(p.payee, host.keys.cardId)) fail(4004, 'the payment is for another card');
    if (p.currency !== this.currency) fail(4001, `currency ${p.currency}`);
    // The payer's news may have revoked it or ended its certificate.
    if (isRevoked(ledger.revocations, payer.cardId)) fail(4003, 'payer');
    payer = host.certs.verify(payer.bytes, host.trusted, ledger.epoch);
    if (ledger.creditNonces.has(toHex(p.nonce))) fail(4005, 'this nonce was already paid');
    const fresh = equalBytes(p.nonce, asked.nonce);
    if (fresh) {
      if (p.amount !== asked.amount) fail(4001, `paid ${p.amount}, asked ${asked.amount}`);
      if (!equalBytes(p.handshakeHash, this.handshakeHash!)) fail(4006);
      if (p.seq !== hello.headSeq + 1 || !equalBytes(p.prev, hello.headHash)) fail(4007, `seq ${p.seq} after head ${hello.headSeq}`);
      if (p.certSerial !== payer.serial) fail(4007, `certificate serial ${p.certSerial}, presented ${payer.serial}`);
    } else {
      // A payment answering an offer of an earlier session: accepted only if
      // this card made that nonce for this payer, amount and currency, after
      // its last acknowledgement, and no credit answered it yet.
      const issuedAt = host.nonces.check(p.nonce, p.card, p.amount, p.currency);
      if (issuedAt === undefined) fail(4005, 'not a nonce of this card for this payment');
      if (issuedAt < ledger.base.seq || issuedAt > ledger.seq) fail(4005, 'the offer ended at the last sync');
      if (p.seq > hello.headSeq) fail(4007, `seq ${p.seq} beyond head ${hello.headSeq}`);
      if (p.certSerial > payer.serial) fail(4007, `certificate serial ${p.certSerial} > ${payer.serial}`);
    }
    for (const c of ledger.creditsFrom(p.card)) {
      const q = c.payment;
      if (q.seq === p.seq) fail(4008, `seq ${p.seq}`);
      if (q.seq < p.seq ? p.spentBefore < q.spentBefore + q.amount : q.spentBefore < p.spentBefore + p.amount) {
        fail(4007, `spent total ${p.spentBefore} at seq ${p.seq} against ${q.spentBefore} at seq ${q.seq}`);
      }
    }
    if (p.spentBefore + p.amount > payer.allowance) fail(4002, `${p.spentBefore} + ${p.amount} > ${payer.allowance}`);
    checkSignature('payment', rec.body, rec.signature!, payer.signKey, 'payment');
    if (!ledger.fits([CREDIT_FRAME_BOUND])) fail(5002, 'no room for the credit');
    const epoch = ledger.epoch;
    const receipt = ledger.receiptBody(p, hash, epoch);
    const signature = host.keys.signer.sign('receipt', receipt);
    // The credit is on flash before the receipt leaves the card.
    const credit = ledger.appendCredit(rec.body, rec.signature!, epoch, signature, { bytes: rec.body, payment: p, hash });
    this.sendTransport({ type: 'receipt', receipt: credit.sealedReceipt });
    this.finish(p, hash, !fresh);
  }

  private finish(p: PaymentBody, hash: Uint8Array, recovered: boolean): void {
    this.end({ status: 'done', role: 'payee', amount: p.amount, currency: p.currency, peer: p.card, paymentHash: hash, recovered }, false);
  }
}
