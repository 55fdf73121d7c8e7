// What the payer and payee state machines share: sans-IO plumbing. A session
// is fed link messages and holder answers, sends through the Link port,
// draws through the host's Screen, and ends exactly once with an outcome.
import { toHex } from '../bytes.js';
import type { TrustedAuthorities } from '../cert.js';
import { TallyError, tallyError, type ErrorCode } from '../errors.js';
import type { CardKeys, Random } from '../identity.js';
import type { Ledger } from '../ledger/index.js';
import type { NoiseHandshake, NoiseTransport } from '../noise/index.js';
import type { ConfirmRequest, Link } from '../ports.js';
import type { CertCache, NonceIssuer } from './common.js';
import {
  LINK_MESSAGE_MAX,
  decodeEnvelope,
  decodeMessage,
  encodeEnvelope,
  encodeMessage,
  errorMessage,
  knownCode,
  type AppMessage,
  type EnvelopeMessage,
  type EnvelopeType,
  type ErrorMessage,
} from './messages.js';
import type { PinGate } from './pin.js';
import type { CardView } from './views.js';

export type Role = 'payer' | 'payee';

export type SessionOutcome =
  | {
      status: 'done';
      role: Role;
      amount: number;
      currency: string;
      /** The other card. */
      peer: Uint8Array;
      /** The payment's hash (its identity at the authority). */
      paymentHash: Uint8Array;
      /** True when this session completed a payment begun in an earlier one. */
      recovered: boolean;
    }
  | {
      status: 'failed';
      role: Role;
      code: ErrorCode;
      message: string;
      /** The code the peer sent, when the peer refused. */
      peerCode?: number;
    };

/** What a session needs from its card. */
export interface SessionHost {
  readonly keys: CardKeys;
  readonly ledger: Ledger;
  readonly trusted: TrustedAuthorities;
  readonly random: Random;
  readonly certs: CertCache;
  readonly nonces: NonceIssuer;
  readonly pin: PinGate;
  show(view: CardView): void;
  requestConfirm(req: ConfirmRequest): void;
  /** Verifies a peer's revocation list and keeps it when newer (2001 when not authority-signed). */
  adoptRevocations(sealed: Uint8Array): void;
  /** Verifies a peer's epoch note and keeps it when it raises the card's epoch. */
  adoptEpochNote(sealed: Uint8Array): void;
  sessionEnded(session: Session): void;
  /** A message refused without changing the session: a plaintext error goes back on `link`. */
  refuse(link: Link | undefined, code: ErrorCode, detail: string): void;
}

export abstract class Session {
  phase = 'new';
  outcome: SessionOutcome | undefined;
  protected hs: NoiseHandshake | undefined;
  protected transport: NoiseTransport | undefined;

  constructor(
    protected readonly host: SessionHost,
    private currentLink: Link,
    readonly role: Role,
  ) {}

  /** The link this session sends on. */
  get link(): Link {
    return this.currentLink;
  }

  /** Switches to another link before anything was sent on the current one (a payer connected to a waiting offer). */
  attach(link: Link): void {
    if (this.phase !== 'offer') throw tallyError(4013, 'a link can only be attached to an offer waiting for its payer');
    this.currentLink = link;
  }

  get finished(): boolean {
    return this.outcome !== undefined;
  }

  /** What a log may show: never the handshake state (keys, PSK) nor the offer's token. */
  toJSON(): { role: Role; phase: string; outcome: SessionOutcome | undefined } {
    return { role: this.role, phase: this.phase, outcome: this.outcome };
  }

  /** Feeds one link message. Failures end the session with a coded outcome (and tell the peer). */
  receive(bytes: Uint8Array): void {
    if (this.finished) return;
    try {
      const env = decodeEnvelope(bytes, Math.min(LINK_MESSAGE_MAX, this.link.maxMessageBytes));
      if (env.type === 'plainError') {
        const m = decodeMessage(env.body);
        if (m.type !== 'error') throw tallyError(4013, 'a plaintext envelope carries only errors');
        return this.peerError(m);
      }
      this.onEnvelope(env);
    } catch (e) {
      this.abort(e);
    }
  }

  /** The link closed (or timed out): an unfinished session fails with 4015. */
  linkClosed(): void {
    if (!this.finished) this.end({ status: 'failed', role: this.role, code: 4015, message: tallyError(4015, 'link closed').message }, false);
  }

  /** Cancels the session (the holder or the program gave up). */
  cancel(): void {
    if (!this.finished) this.abort(tallyError(4015, 'cancelled'));
  }

  protected abstract onEnvelope(env: EnvelopeMessage): void;

  protected send(type: EnvelopeType, body: Uint8Array): void {
    const out = encodeEnvelope(type, body);
    if (out.length > this.link.maxMessageBytes) throw tallyError(4014, `${out.length} > ${this.link.maxMessageBytes} bytes (link)`);
    this.link.send(out);
  }

  protected sendTransport(m: AppMessage): void {
    this.send('transport', this.transport!.encrypt(encodeMessage(m)));
  }

  /** Decrypts and decodes a transport message; a peer's error ends the session. */
  protected readTransport(env: EnvelopeMessage): AppMessage | undefined {
    if (env.type !== 'transport' || !this.transport) throw tallyError(4013, `${env.type} while ${this.phase}`);
    const m = decodeMessage(this.transport.decrypt(env.body));
    if (m.type === 'error') {
      this.peerError(m);
      return undefined;
    }
    return m;
  }

  protected peerError(m: ErrorMessage): void {
    const code = knownCode(m.code);
    this.end({ status: 'failed', role: this.role, code: 4016, message: tallyError(4016, `peer: E${m.code} ${m.message}`).message, peerCode: code }, false);
  }

  /**
   * Ends the session after a failure: tells the peer (encrypted when a
   * channel exists, in the handshake when it is this side's turn, else in
   * plaintext), shows it, closes the link. Anything but a TallyError is a
   * bug or a dead device: the session ends silently and the error goes on up.
   */
  protected abort(e: unknown): void {
    if (!(e instanceof TallyError)) {
      if (!this.finished) this.outcome = { status: 'failed', role: this.role, code: 4015, message: 'internal failure' };
      throw e;
    }
    if (this.finished) return;
    this.end({ status: 'failed', role: this.role, code: e.code, message: e.message }, true);
  }

  protected end(outcome: SessionOutcome, tellPeer: boolean): void {
    if (this.finished) return;
    this.outcome = outcome;
    this.phase = outcome.status;
    if (outcome.status === 'failed' && tellPeer) {
      try {
        this.sendError(errorMessage(outcome.code, outcome.message));
      } catch {
        /* the peer will time out */
      }
    }
    if (outcome.status === 'done') {
      this.host.show({ screen: 'done', role: outcome.role, amount: outcome.amount, currency: outcome.currency, peer: toHex(outcome.peer), recovered: outcome.recovered });
    } else {
      this.host.show({ screen: 'failed', code: outcome.code, message: outcome.message, ...(outcome.peerCode === undefined ? {} : { peerCode: outcome.peerCode }) });
    }
    try {
      this.link.close();
    } catch {
      /* already closed */
    }
    this.host.sessionEnded(this);
  }

  protected sendError(m: ErrorMessage): void {
    const payload = encodeMessage(m);
    if (this.transport) return this.send('transport', this.transport.encrypt(payload));
    const hs = this.hs;
    if (hs && hs.isMyTurn()) {
      this.send('handshake2', hs.writeMessage(payload));
      return;
    }
    this.send('plainError', payload);
  }
}
