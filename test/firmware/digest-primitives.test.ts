// The device primitives (firmware/app/digest-primitives.ts) on a fake of
// Moddable's native Digest (node:crypto underneath): the fake keeps the SDK's
// API, the provider agrees with @noble on random inputs and on published
// vectors, and two cards pay each other on it with the very same bytes on
// the wire as on @noble.
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as core from '../../firmware/core/index.js';
import { digestPrimitives, requireDigestPrimitives, type NativeDigestClass } from '../../firmware/app/digest-primitives.js';
import { World, runPayment } from '../core/card-fixture.js';
import { goldenOutputs } from '../core/golden.js';
import { FakeDigest } from './fake-crypt.js';

const { noblePrimitives: noble, createHandshake, x25519KeyPair } = core;
const root = fileURLToPath(new URL('../../../', import.meta.url));
const rnd = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const hex = (b: Uint8Array | null): string => (b ? Buffer.from(b).toString('hex') : 'null');
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
/** The same bytes at an odd offset of a larger buffer, as the core's subarrays are. */
const offset = (b: Uint8Array): Uint8Array => {
  const big = new Uint8Array(b.length + 7);
  big.set(b, 3);
  return big.subarray(3, 3 + b.length);
};

function provider(): core.Primitives {
  const p = digestPrimitives(FakeDigest as unknown as NativeDigestClass, 'fake crypt');
  assert.ok(p, 'the fake digest passes the known-answer test');
  return p;
}

/** Runs fn with `p` installed as the core's primitives. */
function withPrimitives<T>(p: core.Primitives, fn: () => T): T {
  const previous = core.activePrimitives();
  core.usePrimitives(p);
  try {
    return fn();
  } finally {
    core.usePrimitives(previous);
  }
}

describe('firmware: the fake Moddable Digest keeps the SDK API', () => {
  it('hashes strings, buffers and views; close(true) keeps going; reset starts over', () => {
    const d = new FakeDigest('SHA256');
    assert.equal(d.blockSize, 64);
    assert.equal(d.outputSize, 32);
    d.write('ab');
    d.write(Uint8Array.of(0x63).buffer);
    const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    assert.equal(hex(new Uint8Array(d.close(true))), abc);
    d.write(offset(ascii('d')));
    assert.equal(hex(new Uint8Array(d.close())), '88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589');
    assert.throws(() => d.write('x'), /reset/);
    d.reset();
    d.write(new DataView(ascii('xabcx').buffer, 1, 3));
    assert.equal(hex(new Uint8Array(d.close())), abc);
    assert.equal(hex(new Uint8Array(new FakeDigest('SHA512').process('abc'))).slice(0, 16), 'ddaf35a193617aba');
    assert.throws(() => new FakeDigest('SHA3'), /unsupported digest/);
    assert.throws(() => d.write(new Uint16Array(2) as unknown as Uint8Array), TypeError);
  });
});

describe('firmware: device primitives on the native digest agree with @noble', () => {
  const p = provider();

  it('SHA-256, HMAC-SHA256 and the Noise HKDF on random inputs (keys up to three blocks)', () => {
    for (let i = 0; i < 200; i++) {
      const a = rnd(i);
      const b = rnd(i % 70);
      assert.equal(hex(p.sha256(a)), hex(noble.sha256(a)));
      assert.equal(hex(p.sha256(offset(a), b)), hex(noble.sha256(a, b)));
      assert.equal(hex(p.sha256()), hex(noble.sha256()));
      const key = rnd(i % 193);
      assert.equal(hex(p.hmacSha256(offset(key), a, b)), hex(noble.hmacSha256(key, a, b)), `key of ${key.length} bytes`);
      const ck = rnd(32);
      for (const n of [2, 3] as const) assert.deepEqual(p.noiseHkdf(ck, a, n).map(hex), noble.noiseHkdf(ck, a, n).map(hex));
    }
  });

  it('Ed25519 (SHA-512 on the native digest), X25519 and ChaCha20-Poly1305', () => {
    for (let i = 0; i < 60; i++) {
      const seed = rnd(32);
      const msg = rnd(i * 5);
      const pub = noble.ed25519PublicKey(seed);
      assert.equal(hex(p.ed25519PublicKey(seed)), hex(pub));
      const sig = p.ed25519Sign(msg, seed);
      assert.equal(hex(sig), hex(noble.ed25519Sign(msg, seed)), 'Ed25519 is deterministic');
      assert.ok(p.ed25519Verify(sig, msg, pub));
      const bad = Uint8Array.from(sig);
      bad[i % 64] = bad[i % 64]! ^ 1;
      assert.equal(p.ed25519Verify(bad, msg, pub), false);
      assert.equal(p.ed25519IsPoint(pub), true);
      const a = rnd(32);
      const B = noble.x25519PublicKey(rnd(32));
      assert.equal(hex(p.x25519(a, B)), hex(noble.x25519(a, B)));
      const key = rnd(32);
      const nonce = rnd(12);
      const ct = p.aeadEncrypt(key, nonce, msg.subarray(0, 9), msg);
      assert.equal(hex(ct), hex(noble.aeadEncrypt(key, nonce, msg.subarray(0, 9), msg)));
      assert.equal(hex(p.aeadDecrypt(key, nonce, msg.subarray(0, 9), ct)), hex(msg));
    }
    assert.equal(p.ed25519Verify(new Uint8Array(64), new Uint8Array(1), new Uint8Array(31)), false);
    assert.equal(p.ed25519IsPoint(new Uint8Array(31)), false);
    assert.throws(() => p.x25519(rnd(32), new Uint8Array(32)));
  });

  it('published vectors: RFC 4231 HMAC-SHA256 (short, long and block-exceeding keys) and RFC 8032 Ed25519', () => {
    // RFC 4231 test cases 1, 2, 6 and 7.
    const key131 = new Uint8Array(131).fill(0xaa);
    const cases: [Uint8Array, Uint8Array, string][] = [
      [new Uint8Array(20).fill(0x0b), ascii('Hi There'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
      [ascii('Jefe'), ascii('what do ya want for nothing?'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
      [key131, ascii('Test Using Larger Than Block-Size Key - Hash Key First'), '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'],
      [
        key131,
        ascii('This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.'),
        '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
      ],
    ];
    for (const [key, data, mac] of cases) assert.equal(hex(p.hmacSha256(key, data)), mac);
    // RFC 8032 section 7.1, tests 1 and 3.
    const ed: [string, string, string, string][] = [
      [
        '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
        'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
        '',
        'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
      ],
      [
        'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
        'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
        'af82',
        '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
      ],
    ];
    for (const [seed, pub, msg, sig] of ed) {
      assert.equal(hex(p.ed25519PublicKey(unhex(seed))), pub);
      assert.equal(hex(p.ed25519Sign(unhex(msg), unhex(seed))), sig);
      assert.ok(p.ed25519Verify(unhex(sig), unhex(msg), unhex(pub)));
    }
  });

  it('the Noise cacophony vectors (25519_ChaChaPoly_SHA256), every message', () => {
    interface Vector {
      protocol_name: core.NoiseProtocol;
      handshake_hash: string;
      messages: { payload: string; ciphertext: string }[];
      [k: string]: unknown;
    }
    const file = JSON.parse(readFileSync(`${root}test/vectors/noise/cacophony-25519-chachapoly-sha256.json`, 'utf8')) as { vectors: Vector[] };
    assert.ok(file.vectors.length >= 5);
    withPrimitives(p, () => {
      for (const v of file.vectors) {
        const side = (pre: 'init' | 'resp'): core.NoiseHandshake => {
          const get = (k: string) => v[`${pre}_${k}`] as string | undefined;
          const psk = (v[`${pre}_psks`] as string[] | undefined)?.[0];
          return createHandshake({
            protocol: v.protocol_name,
            initiator: pre === 'init',
            prologue: unhex(get('prologue')!),
            s: get('static') === undefined ? undefined : x25519KeyPair(unhex(get('static')!)),
            rs: get('remote_static') === undefined ? undefined : unhex(get('remote_static')!),
            psk: psk === undefined ? undefined : unhex(psk),
            e: x25519KeyPair(unhex(get('ephemeral')!)),
          });
        };
        const init = side('init');
        const resp = side('resp');
        let t: [core.NoiseTransport, core.NoiseTransport] | undefined;
        v.messages.forEach((m, n) => {
          const fromInit = n % 2 === 0;
          if (!t) {
            const [s, r] = fromInit ? [init, resp] : [resp, init];
            const ct = s.writeMessage(unhex(m.payload));
            assert.equal(hex(ct), m.ciphertext, `${v.protocol_name} handshake message ${n}`);
            assert.equal(hex(r.readMessage(ct)), m.payload);
            if (init.isComplete()) {
              assert.equal(hex(init.handshakeHash()), v.handshake_hash);
              assert.equal(hex(resp.handshakeHash()), v.handshake_hash);
              t = [init.split(), resp.split()];
            }
          } else {
            const [s, r] = fromInit ? t : [t[1], t[0]];
            const ct = s.encrypt(unhex(m.payload));
            assert.equal(hex(ct), m.ciphertext, `${v.protocol_name} transport message ${n}`);
            assert.equal(hex(r.decrypt(ct)), m.payload);
          }
        });
        assert.ok(t, `${v.protocol_name}: the handshake completed`);
      }
    });
  });

  it('the whole core gives the same golden outputs', () => {
    const withNoble = goldenOutputs(core);
    assert.deepEqual(withPrimitives(p, () => goldenOutputs(core)), withNoble);
  });

  it('refuses a digest that fails the known-answer test', () => {
    class Wrong extends FakeDigest {
      override close(more?: boolean): ArrayBuffer {
        const h = new Uint8Array(super.close(more));
        h[0] = h[0]! ^ 1;
        return h.buffer;
      }
    }
    assert.equal(digestPrimitives(Wrong as unknown as NativeDigestClass), null);
    // The device fails closed (no @noble hashing after preload): a coded error.
    assert.throws(() => requireDigestPrimitives(Wrong as unknown as NativeDigestClass, 'wrong'), (e: unknown) => (e as core.TallyError).code === 2008);
    assert.equal(requireDigestPrimitives(FakeDigest as unknown as NativeDigestClass).name, 'native digest');
  });
});

describe('firmware: a payment between two cards on the device primitives', () => {
  /** First and repeat payment between two fresh cards; every message on the wire, in hex. */
  function payTwice(): { wire: string[]; spent: number; received: number } {
    const w = new World({ seed: 0xd16e });
    const payer = w.card('payer');
    const payee = w.card('payee');
    const wire: string[] = [];
    for (const amount of [12_50, 3_20]) {
      const r = runPayment(payer, payee, { amount });
      assert.equal(r.payer?.status, 'done', JSON.stringify(r.payer));
      assert.equal(r.payee?.status, 'done', JSON.stringify(r.payee));
      wire.push(...r.messages.map((m) => `${m.from} ${hex(m.bytes)}`));
    }
    return { wire, spent: payer.card.status().spent, received: payee.card.status().received };
  }

  it('pays first and repeat, with the same bytes on the wire as on @noble', () => {
    const onNoble = payTwice();
    const calls = FakeDigest.calls;
    const onDevice = withPrimitives(provider(), payTwice);
    assert.ok(FakeDigest.calls - calls > 100, 'the hashing went to the digest');
    assert.equal(onDevice.spent, 12_50 + 3_20);
    assert.equal(onDevice.received, 12_50 + 3_20);
    assert.deepEqual(onDevice.wire, onNoble.wire);
  });
});
