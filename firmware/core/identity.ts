// Card and authority keys, identities and domain-separated signatures.
//
// A card holds two key pairs: Ed25519 for signing and X25519 for the Noise
// channel. Both are made on the card from its random source and the secret
// halves never leave the object that holds them (no getter, redacted in JSON).
import { activePrimitives, sha256 } from './primitives.js';
import { checkBytes, concat, equalBytes, utf8 } from './bytes.js';
import { ArgumentError, fail } from './errors.js';
import { defineHiddenMethods } from './hidden.js';

export type Random = (n: number) => Uint8Array;

export const KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
export const CARD_ID_BYTES = 16;
export const KEY_ID_BYTES = 8;
/** Peers whose static-static DH result a card keeps in RAM. */
const STATIC_DH_PEERS = 8;

/**
 * What a signature is over. The tag is prefixed to every signed message
 * ("tally/v1/<tag>" and a zero byte) so a signature made for one structure
 * can never be replayed as another.
 */
export type SignTag = 'cert' | 'payment' | 'receipt' | 'load' | 'ack' | 'revocations' | 'epoch' | 'enrol' | 'block' | 'fraud';

// Made on first use (module-level objects of a preloaded module are frozen).
let tagBytes: Map<SignTag, Uint8Array> | undefined;
/** The exact bytes an Ed25519 signature covers (hosts verifying natively need them). */
export function signedMessage(tag: SignTag, body: Uint8Array): Uint8Array {
  tagBytes ??= new Map();
  let t = tagBytes.get(tag);
  if (!t) tagBytes.set(tag, (t = concat(utf8(`tally/v1/${tag}`), Uint8Array.of(0))));
  return concat(t, body);
}

/** Verifies a domain-separated Ed25519 signature; false for any malformed input. */
export function verifySignature(tag: SignTag, body: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== SIGNATURE_BYTES || publicKey.length !== KEY_BYTES) return false;
  try {
    return activePrimitives().ed25519Verify(signature, signedMessage(tag, body), publicKey);
  } catch {
    return false;
  }
}

/** As verifySignature, throwing code 2001 (naming `what`) when it fails. */
export function checkSignature(tag: SignTag, body: Uint8Array, signature: Uint8Array, publicKey: Uint8Array, what: string): void {
  if (!verifySignature(tag, body, signature, publicKey)) fail(2001, what);
}

/** An Ed25519 key pair whose secret stays inside (in a closure: see hidden.ts). */
export class Signer {
  readonly publicKey: Uint8Array;
  // Hidden closures over the seed (hidden.ts); subclasses may override sign().
  private declare readonly signWithSeed: (message: Uint8Array) => Uint8Array;
  private declare readonly copySeed: () => Uint8Array;
  constructor(seed: Uint8Array) {
    const secret = Uint8Array.from(checkBytes(seed, 'seed', KEY_BYTES));
    this.publicKey = activePrimitives().ed25519PublicKey(secret);
    defineHiddenMethods(this, {
      signWithSeed: (message: Uint8Array): Uint8Array => activePrimitives().ed25519Sign(message, secret),
      copySeed: (): Uint8Array => Uint8Array.from(secret),
    });
  }
  static generate(random: Random): Signer {
    return new Signer(random(KEY_BYTES));
  }
  sign(tag: SignTag, body: Uint8Array): Uint8Array {
    return this.signWithSeed(signedMessage(tag, body));
  }
  /** The seed, for the key store of the device that owns it. Never send it anywhere. */
  exportSecret(): Uint8Array {
    return this.copySeed();
  }
  toJSON(): { publicKey: string } {
    return { publicKey: '(ed25519 public key)' };
  }
}

/** What the Noise channel needs of a static key (DhKey.keyPair). */
export interface DhKeyPair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  staticDh(remote: Uint8Array): Uint8Array;
}

/** An X25519 static key pair for the Noise channel; the secret stays inside (in a closure). */
export class DhKey {
  readonly publicKey: Uint8Array;
  /**
   * The Noise library needs the raw pair; only the channel code on this card
   * calls this. Static-static DH results are remembered for the last few
   * peers (RAM only, never written anywhere), so a repeat payment between the
   * same two cards costs one X25519 less.
   */
  declare readonly keyPair: () => DhKeyPair;
  declare readonly exportSecret: () => Uint8Array;
  constructor(secret: Uint8Array) {
    const own = Uint8Array.from(checkBytes(secret, 'secret', KEY_BYTES));
    this.publicKey = activePrimitives().x25519PublicKey(own);
    const peers: { key: Uint8Array; shared: Uint8Array }[] = [];
    const staticDh = (remote: Uint8Array): Uint8Array => {
      const i = peers.findIndex((p) => equalBytes(p.key, remote));
      if (i >= 0) {
        const hit = peers.splice(i, 1)[0]!;
        peers.unshift(hit);
        return hit.shared;
      }
      const shared = activePrimitives().x25519(own, remote);
      peers.unshift({ key: Uint8Array.from(remote), shared });
      if (peers.length > STATIC_DH_PEERS) peers.pop();
      return shared;
    };
    const publicKey = this.publicKey;
    defineHiddenMethods(this, {
      keyPair: (): DhKeyPair => ({ secretKey: own, publicKey, staticDh }),
      exportSecret: (): Uint8Array => Uint8Array.from(own),
    });
  }
  static generate(random: Random): DhKey {
    return new DhKey(random(KEY_BYTES));
  }
  toJSON(): { publicKey: string } {
    return { publicKey: '(x25519 public key)' };
  }
}

/** A card's identity: its id is derived from its signing key. */
export class CardKeys {
  readonly cardId: Uint8Array;
  constructor(
    readonly signer: Signer,
    readonly dh: DhKey,
  ) {
    this.cardId = cardIdOf(signer.publicKey);
  }
  static generate(random: Random): CardKeys {
    if (typeof random !== 'function') throw new ArgumentError('random', 'a function returning random bytes');
    return new CardKeys(Signer.generate(random), DhKey.generate(random));
  }
}

/** Card id: the first 16 bytes of SHA-256("tally/v1/card-id" || signing key). */
export function cardIdOf(signKey: Uint8Array): Uint8Array {
  checkBytes(signKey, 'signKey', KEY_BYTES);
  return sha256(concat(utf8('tally/v1/card-id'), signKey)).subarray(0, CARD_ID_BYTES);
}

/** Authority key id: the first 8 bytes of SHA-256("tally/v1/key-id" || public key). */
export function keyIdOf(publicKey: Uint8Array): Uint8Array {
  checkBytes(publicKey, 'publicKey', KEY_BYTES);
  return sha256(concat(utf8('tally/v1/key-id'), publicKey)).subarray(0, KEY_ID_BYTES);
}

/** Checks that 32 bytes are a valid Ed25519 public key (2002 otherwise). */
export function checkEd25519Key(key: Uint8Array, field: string): void {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) fail(2002, `${field}: 32 bytes`);
  if (!activePrimitives().ed25519IsPoint(key)) fail(2002, `${field}: not a point on Ed25519`);
}
