// The authority's Ed25519 key: made on first start, kept in a file only its
// owner can read (mode 0600), never printed. Signing and verifying on the
// host use node:crypto (native, about 11x faster than noble on V8); the
// seed's public half is what the core's statements name as issuer.
import { createPrivateKey, createPublicKey, randomBytes, sign as nativeSign, verify as nativeVerify, type KeyObject } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { KEY_BYTES, Signer, signedMessage, type SignTag } from '../../firmware/core/index.js';
import { parseHex } from './codec.js';
import { refuse } from './fail.js';

// DER prefixes that wrap a raw 32-byte Ed25519 key (RFC 8410).
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A node:crypto public key object for a raw Ed25519 key (throws on a malformed key). */
export function publicKeyObject(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** Native verification of a domain-separated signature; false for anything malformed. */
export function verifyNative(tag: SignTag, body: Uint8Array, signature: Uint8Array, key: KeyObject): boolean {
  if (signature.length !== 64) return false;
  try {
    return nativeVerify(null, signedMessage(tag, body), key, signature);
  } catch {
    return false;
  }
}

/** The core's Signer whose signatures are made natively (same bytes: Ed25519 is deterministic). */
export class NativeSigner extends Signer {
  readonly #key: KeyObject;
  constructor(seed: Uint8Array) {
    super(seed);
    this.#key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  }
  override sign(tag: SignTag, body: Uint8Array): Uint8Array {
    const s = nativeSign(null, signedMessage(tag, body), this.#key);
    return new Uint8Array(s.buffer, s.byteOffset, s.length);
  }
}

const KEY_FILE_FORMAT = 'tally-authority-key/1';

/** Loads the key file, or creates it (mode 0600, in a folder made 0700) when it does not exist. */
export function loadOrCreateKey(path: string): NativeSigner {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const seed = randomBytes(KEY_BYTES);
    const tmp = `${path}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, `${JSON.stringify({ format: KEY_FILE_FORMAT, seed: seed.toString('hex') })}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(tmp, 0o600); // in case the umask took bits away, never to add any
    renameSync(tmp, path);
    return new NativeSigner(new Uint8Array(seed));
  }
  const mode = statSync(path).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    refuse(7023, `${path} has mode ${mode.toString(8)}; run chmod 600 on it`);
  }
  let seed: Uint8Array | null = null;
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as { format?: unknown; seed?: unknown };
    if (o.format === KEY_FILE_FORMAT) seed = parseHex(o.seed, KEY_BYTES);
  } catch {
    seed = null;
  }
  // Never echo the file's content: it is the secret.
  if (!seed) return refuse(7023, `${path} is not a ${KEY_FILE_FORMAT} file`);
  return new NativeSigner(seed);
}
