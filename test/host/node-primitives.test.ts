// node:crypto primitives against @noble: identical results, so a host or the
// simulator may run the card core on either.
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import * as core from '../../firmware/core/index.js';
import { nodePrimitives } from '../../host/crypto/node-primitives.js';
import { goldenOutputs } from '../core/golden.js';

const { noblePrimitives: noble } = core;
const node = nodePrimitives;
const rnd = (n: number) => new Uint8Array(randomBytes(n));
const hex = (b: Uint8Array | null) => (b ? Buffer.from(b).toString('hex') : 'null');

describe('primitives: node:crypto agrees with @noble', () => {
  it('hashes, HMACs and the Noise HKDF', () => {
    for (let i = 0; i < 200; i++) {
      const a = rnd(i);
      const b = rnd(i % 70);
      assert.equal(hex(node.sha256(a, b)), hex(noble.sha256(a, b)));
      assert.equal(hex(node.hmacSha256(b, a)), hex(noble.hmacSha256(b, a)));
      const ck = rnd(32);
      for (const n of [2, 3] as const) assert.deepEqual(node.noiseHkdf(ck, a, n).map(hex), noble.noiseHkdf(ck, a, n).map(hex));
    }
  });

  it('Ed25519 keys, signatures and verification', () => {
    for (let i = 0; i < 100; i++) {
      const seed = rnd(32);
      const msg = rnd(i * 3);
      const pub = noble.ed25519PublicKey(seed);
      assert.equal(hex(node.ed25519PublicKey(seed)), hex(pub));
      const sig = node.ed25519Sign(msg, seed);
      assert.equal(hex(sig), hex(noble.ed25519Sign(msg, seed)), 'Ed25519 is deterministic');
      assert.ok(node.ed25519Verify(sig, msg, pub) && noble.ed25519Verify(sig, msg, pub));
      const bad = Uint8Array.from(sig);
      bad[i % 64] = bad[i % 64]! ^ 1;
      assert.equal(node.ed25519Verify(bad, msg, pub), false);
      assert.equal(noble.ed25519Verify(bad, msg, pub), false);
    }
    assert.equal(node.ed25519Verify(new Uint8Array(64), new Uint8Array(1), new Uint8Array(31)), false);
  });

  it('X25519 and ChaCha20-Poly1305', () => {
    for (let i = 0; i < 100; i++) {
      const a = rnd(32);
      const b = rnd(32);
      const B = noble.x25519PublicKey(b);
      assert.equal(hex(node.x25519PublicKey(b)), hex(B));
      assert.equal(hex(node.x25519(a, B)), hex(noble.x25519(a, B)));
      const key = rnd(32);
      const nonce = rnd(12);
      const ad = rnd(i % 40);
      const pt = rnd(i * 5);
      const ct = node.aeadEncrypt(key, nonce, ad, pt);
      assert.equal(hex(ct), hex(noble.aeadEncrypt(key, nonce, ad, pt)));
      assert.equal(hex(node.aeadDecrypt(key, nonce, ad, ct)), hex(pt));
      const bad = Uint8Array.from(ct);
      bad[0] = bad[0]! ^ 1;
      assert.equal(node.aeadDecrypt(key, nonce, ad, bad), null);
      assert.equal(noble.aeadDecrypt(key, nonce, ad, bad), null);
    }
    assert.throws(() => node.x25519(rnd(32), new Uint8Array(32)));
  });

  it('the whole core gives the same golden outputs on either provider', () => {
    const withNoble = goldenOutputs(core);
    core.usePrimitives(node);
    try {
      assert.deepEqual(goldenOutputs(core), withNoble);
    } finally {
      core.usePrimitives(noble);
    }
  });
});
