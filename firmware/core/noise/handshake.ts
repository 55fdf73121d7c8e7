// Noise HandshakeState (revision 34, section 5.3), driven by a pattern table,
// for the suite 25519_ChaChaPoly_SHA256 with an optional single pskN modifier.
//
// Rules the rest of the core relies on:
// - every failure leaves as a TallyError with a code;
// - any call that throws kills the handshake: every later call throws 3001;
// - a transport decrypt that fails changes nothing (the nonce stays put).
import { LazyPattern } from '../pattern.js';
import { activePrimitives } from '../primitives.js';
import { checkBytes, utf8 } from '../bytes.js';
import { ArgumentError, TallyError, fail, tallyError } from '../errors.js';
import { CipherState, MAX_MESSAGE, TAG_LEN } from './cipher-state.js';
import { SymmetricState } from './symmetric-state.js';

export const DHLEN = 32;

export interface NoiseKeyPair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  /**
   * Optional, for a static key: DH with a remote static key, which the owner
   * may remember per peer. Static-static DH ('ss') is the same in every
   * session between two cards, so a repeat payment can skip one X25519.
   */
  staticDh?(remoteStatic: Uint8Array): Uint8Array;
}

/** The interactive fundamental patterns (section 7.4 and 7.5). */
export type NoisePattern = 'NN' | 'NK' | 'NX' | 'KN' | 'KK' | 'KX' | 'XN' | 'XK' | 'XX' | 'IN' | 'IK' | 'IX';
export type NoisePskModifier = '' | 'psk0' | 'psk1' | 'psk2' | 'psk3';
export type NoiseProtocol = `Noise_${NoisePattern}${NoisePskModifier}_25519_ChaChaPoly_SHA256`;

export interface NoiseConfig {
  protocol: NoiseProtocol;
  initiator: boolean;
  prologue?: Uint8Array;
  /** This side's static key pair, when the pattern uses one. */
  s?: NoiseKeyPair;
  /** The peer's static public key, when the pattern has it as a pre-message (IK, KK, NK, XK for the initiator; KK, KN, KX for the responder). */
  rs?: Uint8Array;
  /** The 32-byte pre-shared key of a pskN protocol. */
  psk?: Uint8Array;
  /** An injected ephemeral key pair (test vectors only). */
  e?: NoiseKeyPair;
  /** Source of the ephemeral secret key when `e` is not given: must return n fresh random bytes. */
  random?: (n: number) => Uint8Array;
}

type Token = 'e' | 's' | 'ee' | 'es' | 'se' | 'ss' | 'psk';

// [initiator pre-message has s, responder pre-message has s, messages]
type PatternRow = readonly [boolean, boolean, string];
const PATTERNS: Readonly<Record<NoisePattern, PatternRow>> = {
  NN: [false, false, 'e|e,ee'],
  NK: [false, true, 'e,es|e,ee'],
  NX: [false, false, 'e|e,ee,s,es'],
  KN: [true, false, 'e|e,ee,se'],
  KK: [true, true, 'e,es,ss|e,ee,se'],
  KX: [true, false, 'e|e,ee,se,s,es'],
  XN: [false, false, 'e|e,ee|s,se'],
  XK: [false, true, 'e,es|e,ee|s,se'],
  XX: [false, false, 'e|e,ee,s,es|s,se'],
  IN: [false, false, 'e,s|e,ee,se'],
  IK: [false, true, 'e,es,s,ss|e,ee,se'],
  IX: [false, false, 'e,s|e,ee,se,s,es'],
};

// Compiled on first use: a preloaded module may hold no RegExp (pattern.ts).
const PROTOCOL_RE = new LazyPattern('^Noise_([NKXI][NKX])(?:psk([0-9]))?_25519_ChaChaPoly_SHA256$');

interface Parsed {
  preI: boolean;
  preR: boolean;
  messages: Token[][];
  psk: boolean;
}

function parseProtocol(name: unknown): Parsed {
  const m = typeof name === 'string' ? PROTOCOL_RE.exec(name) : null;
  const row = m ? (PATTERNS as Record<string, PatternRow | undefined>)[m[1]!] : undefined;
  if (!m || !row) throw new ArgumentError('protocol', 'Noise_<NN|NK|NX|KN|KK|KX|XN|XK|XX|IN|IK|IX>[psk0-3]_25519_ChaChaPoly_SHA256');
  const messages = row[2].split('|').map((msg) => msg.split(',') as Token[]);
  const pskIndex = m[2];
  if (pskIndex !== undefined) {
    const n = Number(pskIndex);
    if (n > messages.length) throw new ArgumentError('protocol', `a psk modifier at most psk${messages.length} for this pattern`);
    if (n === 0) messages[0]!.unshift('psk');
    else messages[n - 1]!.push('psk');
  }
  return { preI: row[0], preR: row[1], messages, psk: pskIndex !== undefined };
}

function checkKeyPair(kp: unknown, field: string): NoiseKeyPair {
  const k = kp as Partial<NoiseKeyPair> | undefined;
  if (
    typeof k !== 'object' ||
    k === null ||
    !(k.secretKey instanceof Uint8Array) ||
    k.secretKey.length !== DHLEN ||
    !(k.publicKey instanceof Uint8Array) ||
    k.publicKey.length !== DHLEN
  ) {
    fail(2002, `${field} must be { secretKey, publicKey } of ${DHLEN} bytes each`);
  }
  return typeof k.staticDh === 'function' ? { secretKey: k.secretKey, publicKey: k.publicKey, staticDh: k.staticDh } : { secretKey: k.secretKey, publicKey: k.publicKey };
}

function checkKey(x: unknown, field: string): Uint8Array {
  if (!(x instanceof Uint8Array) || x.length !== DHLEN) fail(2002, `${field} must be ${DHLEN} bytes`);
  return x;
}

/** The X25519 key pair of a 32-byte secret key. */
export function x25519KeyPair(secretKey: Uint8Array): NoiseKeyPair {
  checkKey(secretKey, 'secretKey');
  let publicKey: Uint8Array;
  try {
    publicKey = activePrimitives().x25519PublicKey(secretKey);
  } catch (e) {
    return fail(2002, e instanceof Error ? e.message : String(e));
  }
  return { secretKey, publicKey };
}

/** DH(key_pair, public_key); a low-order public key (all-zero result) throws 2007. */
function dh(kp: NoiseKeyPair, pub: Uint8Array): Uint8Array {
  let out: Uint8Array;
  try {
    out = activePrimitives().x25519(kp.secretKey, pub);
  } catch (e) {
    // noble rejects low-order points before the ladder; nothing else can fail on 32-byte inputs;
    // a provider that returns all zeros instead is caught below.
    return fail(2007, e instanceof Error ? e.message : String(e));
  }
  return checkNonZero(out);
}

function checkNonZero(out: Uint8Array): Uint8Array {
  let z = 0;
  for (let i = 0; i < out.length; i++) z |= out[i]!;
  if (z === 0 || out.length !== DHLEN) fail(2007);
  return out;
}

const EMPTY = new Uint8Array(0);

/** The two directions of an established channel. */
export class NoiseTransport {
  /** The final handshake hash h: the channel binding (e.g. for the 4-digit comparison code). */
  readonly handshakeHash: Uint8Array;
  private readonly tx: CipherState;
  private readonly rx: CipherState;

  constructor(tx: CipherState, rx: CipherState, handshakeHash: Uint8Array) {
    this.tx = tx;
    this.rx = rx;
    this.handshakeHash = handshakeHash;
  }

  /** Encrypts one transport message (plaintext at most 65519 bytes, else 3004). */
  encrypt(plaintext: Uint8Array): Uint8Array {
    checkBytes(plaintext, 'plaintext');
    if (plaintext.length > MAX_MESSAGE - TAG_LEN) fail(3004);
    return this.tx.encryptWithAd(EMPTY, plaintext);
  }

  /**
   * Decrypts the next transport message. Altered, replayed, reordered or
   * foreign messages throw 3002 and leave the channel as it was.
   */
  decrypt(ciphertext: Uint8Array): Uint8Array {
    checkBytes(ciphertext, 'ciphertext');
    if (ciphertext.length > MAX_MESSAGE) fail(3004);
    return this.rx.decryptWithAd(EMPTY, ciphertext);
  }

  /** Number of messages sent so far (the next sending nonce). */
  get sendNonce(): number {
    return this.tx.nonce;
  }

  /** Number of messages received so far (the next receiving nonce). */
  get receiveNonce(): number {
    return this.rx.nonce;
  }
}

export class HandshakeState {
  private readonly sym: SymmetricState;
  private readonly initiator: boolean;
  private readonly messages: Token[][];
  private readonly usesPsk: boolean;
  /** Smallest length of each message: its tokens plus the payload's tag when the payload is encrypted. */
  private readonly minLength: number[];
  private readonly psk: Uint8Array | undefined;
  private readonly s: NoiseKeyPair | undefined;
  private readonly random: ((n: number) => Uint8Array) | undefined;
  private e: NoiseKeyPair | undefined;
  private rs: Uint8Array | undefined;
  private re: Uint8Array | undefined;
  private index = 0;
  private failed = false;
  private wasSplit = false;

  constructor(cfg: NoiseConfig) {
    if (typeof cfg !== 'object' || cfg === null) throw new ArgumentError('config', 'an object');
    const p = parseProtocol(cfg.protocol);
    if (typeof cfg.initiator !== 'boolean') throw new ArgumentError('initiator', 'a boolean');
    const initiator = cfg.initiator;
    this.initiator = initiator;
    this.messages = p.messages;
    this.usesPsk = p.psk;

    // Which keys this side needs.
    const ownPre = initiator ? p.preI : p.preR;
    const peerPre = initiator ? p.preR : p.preI;
    let sendsS = false;
    let needsS = ownPre;
    let receivesS = false;
    p.messages.forEach((msg, i) => {
      const mine = (i % 2 === 0) === initiator;
      for (const t of msg) {
        if (t === 's') {
          if (mine) sendsS = true;
          else receivesS = true;
        }
        if (t === 'ss' || (t === 'es' && !initiator) || (t === 'se' && initiator)) needsS = true;
      }
    });
    needsS ||= sendsS;

    if (needsS) {
      if (cfg.s === undefined) fail(3006, 'the pattern needs this side\'s static key (s)');
      this.s = checkKeyPair(cfg.s, 's');
    }
    if (peerPre) {
      if (cfg.rs === undefined) fail(3006, 'the pattern needs the peer\'s static key (rs)');
      this.rs = checkKey(cfg.rs, 'rs');
    } else if (cfg.rs !== undefined) {
      throw new ArgumentError('rs', receivesS ? 'nothing: this pattern sends the peer\'s static key; check remoteStatic()' : 'nothing: this pattern has no peer static key');
    }
    if (p.psk) {
      if (cfg.psk === undefined) fail(3006, 'the pattern needs a psk');
      this.psk = checkKey(cfg.psk, 'psk');
    } else if (cfg.psk !== undefined) {
      throw new ArgumentError('psk', 'nothing: the protocol has no psk modifier');
    }
    if (cfg.e !== undefined) this.e = checkKeyPair(cfg.e, 'e');
    else if (typeof cfg.random === 'function') this.random = cfg.random;
    else fail(3006, 'an ephemeral key needs either e or random');
    const prologue = cfg.prologue === undefined ? EMPTY : checkBytes(cfg.prologue, 'prologue');

    // Message sizes: which tokens are encrypted depends on when a key appears.
    let keyed = false;
    this.minLength = p.messages.map((msg) => {
      let n = 0;
      for (const t of msg) {
        if (t === 'e') {
          n += DHLEN;
          if (p.psk) keyed = true;
        } else if (t === 's') n += DHLEN + (keyed ? TAG_LEN : 0);
        else keyed = true;
      }
      return n + (keyed ? TAG_LEN : 0);
    });

    const sym = new SymmetricState(utf8(cfg.protocol));
    sym.mixHash(prologue);
    if (p.preI) sym.mixHash(initiator ? this.s!.publicKey : this.rs!);
    if (p.preR) sym.mixHash(initiator ? this.rs! : this.s!.publicKey);
    this.sym = sym;
  }

  /** True once every handshake message has been written or read. */
  isComplete(): boolean {
    return !this.failed && this.index >= this.messages.length;
  }

  /** True when the next handshake call must be writeMessage (false when it is the peer's turn, or when done). */
  isMyTurn(): boolean {
    return !this.failed && this.index < this.messages.length && (this.index % 2 === 0) === this.initiator;
  }

  /** The peer's static public key, once known (authenticated once the message carrying it was read); undefined after a failure. */
  remoteStatic(): Uint8Array | undefined {
    return this.failed ? undefined : this.rs?.slice();
  }

  /** The final handshake hash; 3001 before completion. */
  handshakeHash(): Uint8Array {
    return this.guarded(() => {
      if (this.index < this.messages.length) fail(3001, 'the handshake is not complete');
      return this.sym.hash.slice();
    });
  }

  /** Writes the next handshake message, carrying `payload`. */
  writeMessage(payload: Uint8Array = EMPTY): Uint8Array {
    return this.guarded(() => {
      const msg = this.next(true);
      checkBytes(payload, 'payload');
      const total = this.minLength[this.index]! + payload.length;
      if (total > MAX_MESSAGE) fail(3004);
      const sym = this.sym;
      const out = new Uint8Array(total);
      let off = 0;
      for (const t of msg) {
        switch (t) {
          case 'e': {
            const e = this.e ?? (this.e = this.ephemeral());
            out.set(e.publicKey, off);
            off += DHLEN;
            sym.mixHash(e.publicKey);
            if (this.usesPsk) sym.mixKey(e.publicKey);
            break;
          }
          case 's': {
            const ct = sym.encryptAndHash(this.s!.publicKey);
            out.set(ct, off);
            off += ct.length;
            break;
          }
          case 'psk':
            sym.mixKeyAndHash(this.psk!);
            break;
          default:
            sym.mixKey(this.dh(t));
        }
      }
      out.set(sym.encryptAndHash(payload), off);
      this.index++;
      return out;
    });
  }

  /** Reads the peer's next handshake message and returns its payload. */
  readMessage(message: Uint8Array): Uint8Array {
    return this.guarded(() => {
      const msg = this.next(false);
      checkBytes(message, 'message');
      if (message.length > MAX_MESSAGE) fail(3004);
      if (message.length < this.minLength[this.index]!) fail(3003);
      const sym = this.sym;
      let off = 0;
      for (const t of msg) {
        switch (t) {
          case 'e': {
            const re = message.slice(off, off + DHLEN);
            off += DHLEN;
            this.re = re;
            sym.mixHash(re);
            if (this.usesPsk) sym.mixKey(re);
            break;
          }
          case 's': {
            const keyed = sym.cipher.hasKey();
            const len = DHLEN + (keyed ? TAG_LEN : 0);
            const pt = sym.decryptAndHash(message.subarray(off, off + len));
            off += len;
            this.rs = keyed ? pt : pt.slice();
            break;
          }
          case 'psk':
            sym.mixKeyAndHash(this.psk!);
            break;
          default:
            sym.mixKey(this.dh(t));
        }
      }
      const keyed = sym.cipher.hasKey();
      const payload = sym.decryptAndHash(message.subarray(off));
      this.index++;
      return keyed ? payload : payload.slice();
    });
  }

  /** Split(): the transport channel, once, after the last handshake message. */
  split(): NoiseTransport {
    return this.guarded(() => {
      if (this.index < this.messages.length || this.wasSplit) fail(3001, this.wasSplit ? 'already split' : 'the handshake is not complete');
      this.wasSplit = true;
      const [c1, c2] = this.sym.split();
      this.e = undefined; // the ephemeral secret is no longer needed
      const h = this.sym.hash.slice();
      return this.initiator ? new NoiseTransport(c1, c2, h) : new NoiseTransport(c2, c1, h);
    });
  }

  // Runs a handshake call: refuses after a failure, and turns any failure
  // (including a library exception, as 3002) into a dead handshake.
  private guarded<T>(fn: () => T): T {
    if (this.failed) fail(3001, 'the handshake has failed');
    try {
      return fn();
    } catch (e) {
      this.failed = true;
      if (e instanceof TallyError) throw e;
      throw tallyError(3002, e instanceof Error ? e.message : String(e));
    }
  }

  private next(writing: boolean): Token[] {
    const msg = this.messages[this.index];
    if (msg === undefined) return fail(3001, 'the handshake is already complete');
    if (((this.index % 2 === 0) === this.initiator) !== writing) fail(3001, writing ? 'it is the peer\'s turn to write' : 'it is this side\'s turn to write');
    return msg;
  }

  private ephemeral(): NoiseKeyPair {
    let sk: unknown;
    try {
      sk = this.random!(DHLEN);
    } catch (e) {
      return fail(3006, `random() failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!(sk instanceof Uint8Array) || sk.length !== DHLEN) fail(2002, `random(${DHLEN}) must return ${DHLEN} bytes`);
    return x25519KeyPair(sk);
  }

  private dh(t: Token): Uint8Array {
    const i = this.initiator;
    switch (t) {
      case 'ee':
        return dh(this.e!, this.re!);
      case 'es':
        return i ? dh(this.e!, this.rs!) : dh(this.s!, this.re!);
      case 'se':
        return i ? dh(this.s!, this.re!) : dh(this.e!, this.rs!);
      default: {
        // 'ss': the owner of the static key may answer from its per-peer memory.
        const s = this.s!;
        if (!s.staticDh) return dh(s, this.rs!);
        let out: Uint8Array;
        try {
          out = s.staticDh(this.rs!);
        } catch (e) {
          return fail(2007, e instanceof Error ? e.message : String(e));
        }
        return checkNonZero(out);
      }
    }
  }
}
