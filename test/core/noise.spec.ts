// Noise channel (firmware/core/noise): the cacophony test vectors, the
// failure rules (codes, dead handshakes, nonces) and a fuzz of every decoder.
// Portable: runs under mocha on V8 and inside the XS worker.
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { AssertionError, assert, describe, fuzzRng, host, it } from '../portable/spec.js';
import {
  CipherState,
  NOISE_MAX_MESSAGE,
  createHandshake,
  x25519KeyPair,
  type NoiseHandshake,
  type NoiseKeyPair,
  type NoiseConfig,
  type NoiseProtocol,
  type NoiseTransport,
} from '../../firmware/core/index.js';

// ---- helpers -----------------------------------------------------------------

function unhex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const rand = (n: number): Uint8Array => host().randomBytes(n);
const keyPair = (): NoiseKeyPair => x25519KeyPair(rand(32));

const IKPSK2: NoiseProtocol = 'Noise_IKpsk2_25519_ChaChaPoly_SHA256';

interface Pair {
  i: NoiseHandshake;
  r: NoiseHandshake;
}

/** An initiator/responder pair for `protocol` with fresh keys (only those the pattern uses). */
function pair(protocol: NoiseProtocol, over: { i?: Partial<NoiseConfig>; r?: Partial<NoiseConfig> } = {}): Pair {
  const pattern = /^Noise_(..)/.exec(protocol)![1]!;
  const psk = protocol.includes('psk') ? rand(32) : undefined;
  const si = pattern[0] === 'N' ? undefined : keyPair();
  const sr = pattern[1] === 'N' ? undefined : keyPair();
  const i = createHandshake({
    protocol,
    initiator: true,
    random: rand,
    s: si,
    rs: pattern[1] === 'K' ? sr!.publicKey : undefined,
    psk,
    ...over.i,
  });
  const r = createHandshake({
    protocol,
    initiator: false,
    random: rand,
    s: sr,
    rs: pattern[0] === 'K' ? si!.publicKey : undefined,
    psk,
    ...over.r,
  });
  return { i, r };
}

/** Runs the handshake to completion with small payloads; returns [initiator, responder] transports. */
function establish(p: Pair): [NoiseTransport, NoiseTransport] {
  let sender = p.i;
  let receiver = p.r;
  let n = 0;
  while (!p.i.isComplete() || !p.r.isComplete()) {
    assert.ok(sender.isMyTurn(), 'sender has the turn');
    const payload = text(`handshake ${n++}`);
    assert.bytes(receiver.readMessage(sender.writeMessage(payload)), payload);
    [sender, receiver] = [receiver, sender];
  }
  assert.bytes(p.i.handshakeHash(), p.r.handshakeHash());
  return [p.i.split(), p.r.split()];
}

/** Codes a decoder may throw on hostile input. */
const DECODE_CODES = [2007, 3002, 3003, 3004];

/** Feeds one hostile input: it must return bytes or throw a coded error. Returns true on success. */
function feed(fn: () => Uint8Array, allowed: number[]): boolean {
  let out: Uint8Array;
  try {
    out = fn();
  } catch (e) {
    if (e instanceof AssertionError) throw e;
    const code = (e as { code?: unknown }).code;
    assert.equal(typeof code, 'number', `uncoded error escaped: ${String(e)}`);
    assert.ok(allowed.includes(code as number), `unexpected code ${String(code)}: ${String(e)}`);
    return false;
  }
  assert.ok(out instanceof Uint8Array, 'a decoder returned something other than bytes');
  return true;
}

function mutate(src: Uint8Array, rng: ReturnType<typeof fuzzRng>): Uint8Array {
  const b = src.slice();
  const pos = b.length ? rng.below(b.length) : 0;
  switch (rng.below(8)) {
    case 0: // flip one bit
      if (b.length) b[pos] = b[pos]! ^ (1 << rng.below(8));
      return b;
    case 1: // replace one byte
      if (b.length) b[pos] = rng.u32() & 255;
      return b;
    case 2: // truncate
      return b.subarray(0, rng.below(b.length + 1));
    case 3: {
      // append junk
      const out = new Uint8Array(b.length + 1 + rng.below(40));
      out.set(b);
      out.set(rng.bytes(out.length - b.length), b.length);
      return out;
    }
    case 4: {
      // delete one byte
      const out = new Uint8Array(Math.max(0, b.length - 1));
      out.set(b.subarray(0, pos));
      out.set(b.subarray(pos + 1), pos);
      return out;
    }
    case 5: // zero a 32-byte run (an all-zero key is low order)
      b.fill(0, pos, pos + 32);
      return b;
    case 6: // several random byte changes
      for (let k = 0; k < 4 && b.length; k++) b[rng.below(b.length)] = rng.u32() & 255;
      return b;
    default: // unchanged: the valid message
      return b;
  }
}

// ---- specs -------------------------------------------------------------------

interface Vector {
  protocol_name: NoiseProtocol;
  init_prologue: string;
  init_psks?: string[];
  init_static?: string;
  init_ephemeral: string;
  init_remote_static?: string;
  resp_prologue: string;
  resp_psks?: string[];
  resp_static?: string;
  resp_ephemeral: string;
  resp_remote_static?: string;
  handshake_hash: string;
  messages: { payload: string; ciphertext: string }[];
}

describe('noise: cacophony vectors (25519_ChaChaPoly_SHA256)', () => {
  const file = JSON.parse(host().vector('noise/cacophony-25519-chachapoly-sha256.json')) as { vectors: Vector[] };
  const vectors = file.vectors;

  it('the vector file holds NN, KK, IK, XX and IKpsk2', () => {
    const names = vectors.map((v) => v.protocol_name);
    for (const p of ['NN', 'KK', 'IK', 'XX', 'IKpsk2']) {
      assert.ok(names.includes(`Noise_${p}_25519_ChaChaPoly_SHA256` as NoiseProtocol), `missing ${p}`);
    }
  });

  for (const v of vectors) {
    it(`${v.protocol_name}: every handshake and transport message, both directions`, () => {
      const side = (initiator: boolean): NoiseHandshake => {
        const pre = initiator ? 'init' : 'resp';
        const get = (k: string): string | undefined => (v as unknown as Record<string, string | undefined>)[`${pre}_${k}`];
        const psks = initiator ? v.init_psks : v.resp_psks;
        const st = get('static');
        const rs = get('remote_static');
        return createHandshake({
          protocol: v.protocol_name,
          initiator,
          prologue: unhex(get('prologue')!),
          s: st === undefined ? undefined : x25519KeyPair(unhex(st)),
          rs: rs === undefined ? undefined : unhex(rs),
          psk: psks?.[0] === undefined ? undefined : unhex(psks[0]),
          e: x25519KeyPair(unhex(get('ephemeral')!)),
        });
      };
      const init = side(true);
      const resp = side(false);
      let ti: NoiseTransport | undefined;
      let tr: NoiseTransport | undefined;
      const sent = [0, 0];
      v.messages.forEach((m, n) => {
        const fromInit = n % 2 === 0;
        const payload = unhex(m.payload);
        const expected = unhex(m.ciphertext);
        if (!ti || !tr) {
          const [s, r] = fromInit ? [init, resp] : [resp, init];
          assert.ok(s.isMyTurn() && !r.isMyTurn(), `turn at message ${n}`);
          const ct = s.writeMessage(payload);
          assert.bytes(ct, expected, `handshake message ${n}`);
          assert.bytes(r.readMessage(ct), payload, `handshake payload ${n}`);
          if (init.isComplete()) {
            assert.ok(resp.isComplete());
            assert.bytes(init.handshakeHash(), unhex(v.handshake_hash), 'initiator handshake hash');
            assert.bytes(resp.handshakeHash(), unhex(v.handshake_hash), 'responder handshake hash');
            if (v.resp_static) assert.bytes(init.remoteStatic()!, x25519KeyPair(unhex(v.resp_static)).publicKey);
            if (v.init_static) assert.bytes(resp.remoteStatic()!, x25519KeyPair(unhex(v.init_static)).publicKey);
            ti = init.split();
            tr = resp.split();
            assert.bytes(ti.handshakeHash, unhex(v.handshake_hash));
            assert.bytes(tr.handshakeHash, unhex(v.handshake_hash));
          }
        } else {
          const [s, r] = fromInit ? [ti, tr] : [tr, ti];
          const ct = s.encrypt(payload);
          assert.bytes(ct, expected, `transport message ${n}`);
          assert.bytes(r.decrypt(ct), payload, `transport payload ${n}`);
          sent[fromInit ? 0 : 1]!++;
        }
      });
      assert.ok(ti && tr, 'the handshake completed');
      assert.ok(sent[0]! > 0 && sent[1]! > 0, 'transport messages went both ways');
      assert.equal(ti.sendNonce, sent[0]);
      assert.equal(tr.sendNonce, sent[1]);
      assert.equal(tr.receiveNonce, sent[0]);
      assert.equal(ti.receiveNonce, sent[1]);
    });
  }
});

describe('noise: handshakes', () => {
  it('every supported pattern completes with random keys and carries transport data both ways', () => {
    const protocols: NoiseProtocol[] = [
      'Noise_NN_25519_ChaChaPoly_SHA256',
      'Noise_NK_25519_ChaChaPoly_SHA256',
      'Noise_NX_25519_ChaChaPoly_SHA256',
      'Noise_KN_25519_ChaChaPoly_SHA256',
      'Noise_KK_25519_ChaChaPoly_SHA256',
      'Noise_KX_25519_ChaChaPoly_SHA256',
      'Noise_XN_25519_ChaChaPoly_SHA256',
      'Noise_XK_25519_ChaChaPoly_SHA256',
      'Noise_XX_25519_ChaChaPoly_SHA256',
      'Noise_IN_25519_ChaChaPoly_SHA256',
      'Noise_IK_25519_ChaChaPoly_SHA256',
      'Noise_IX_25519_ChaChaPoly_SHA256',
      'Noise_NNpsk0_25519_ChaChaPoly_SHA256',
      'Noise_IKpsk1_25519_ChaChaPoly_SHA256',
      'Noise_IKpsk2_25519_ChaChaPoly_SHA256',
      'Noise_XXpsk3_25519_ChaChaPoly_SHA256',
    ];
    for (const protocol of protocols) {
      const p = pair(protocol);
      const [ti, tr] = establish(p);
      assert.bytes(tr.decrypt(ti.encrypt(text('ping'))), text('ping'), protocol);
      assert.bytes(ti.decrypt(tr.encrypt(text('pong'))), text('pong'), protocol);
      // Each side learned the other's static key where the pattern has one.
      if (protocol[6] !== 'N') assert.ok(p.r.remoteStatic()?.length === 32, `${protocol} responder knows rs`);
      if (protocol[7] !== 'N') assert.ok(p.i.remoteStatic()?.length === 32, `${protocol} initiator knows rs`);
    }
  });

  it('prologues must match', () => {
    const p = pair(IKPSK2, { i: { prologue: text('tally v1') }, r: { prologue: text('tally v2') } });
    assert.throwsCode(() => p.r.readMessage(p.i.writeMessage()), 3002);
  });

  it('a tampered handshake message fails with 3002 and kills the handshake', () => {
    for (const where of [0, 40, 90, 100]) {
      const p = pair(IKPSK2);
      const m1 = p.i.writeMessage(text('hello'));
      const bad = m1.slice();
      bad[where] = bad[where]! ^ 1;
      assert.throwsCode(() => p.r.readMessage(bad), 3002, `byte ${where}`);
      assert.ok(!p.r.isComplete() && !p.r.isMyTurn());
      assert.equal(p.r.remoteStatic(), undefined, 'no remote static key from a failed handshake');
      assert.throwsCode(() => p.r.readMessage(m1), 3001, 'the original after a failure');
      assert.throwsCode(() => p.r.writeMessage(), 3001);
      assert.throwsCode(() => p.r.split(), 3001);
      assert.throwsCode(() => p.r.handshakeHash(), 3001);
    }
    // The same on the initiator side, for message 2.
    const p = pair(IKPSK2);
    p.r.readMessage(p.i.writeMessage());
    const m2 = p.r.writeMessage(text('reply'));
    const bad = m2.slice();
    bad[m2.length - 1] = bad[m2.length - 1]! ^ 0x80;
    assert.throwsCode(() => p.i.readMessage(bad), 3002);
    assert.throwsCode(() => p.i.readMessage(m2), 3001);
    assert.throwsCode(() => p.i.split(), 3001);
  });

  it('a low-order ephemeral key fails with 2007', () => {
    const p = pair(IKPSK2);
    const m1 = p.i.writeMessage();
    m1.fill(0, 0, 32);
    assert.throwsCode(() => p.r.readMessage(m1), 2007);
    assert.throwsCode(() => p.r.writeMessage(), 3001);
    // u = 1 is low order too.
    const q = pair('Noise_NN_25519_ChaChaPoly_SHA256');
    q.r.readMessage(q.i.writeMessage());
    const m2 = q.r.writeMessage();
    m2.fill(0, 0, 32);
    m2[0] = 1;
    assert.throwsCode(() => q.i.readMessage(m2), 2007);
  });

  it('a wrong psk fails with 3002 at the first message keyed by it', () => {
    // IKpsk2 mixes the psk at the end of message 2 (`<- e, ee, se, psk`), so the
    // responder cannot tell at message 1; the initiator fails reading message 2,
    // and the responder never receives a transport message it can decrypt.
    const p = pair(IKPSK2, { r: { psk: rand(32) } });
    p.r.readMessage(p.i.writeMessage(text('pay')));
    const m2 = p.r.writeMessage(text('invoice'));
    assert.ok(p.r.isComplete());
    assert.throwsCode(() => p.i.readMessage(m2), 3002, 'IKpsk2: initiator reading message 2');
    assert.throwsCode(() => p.i.split(), 3001);
    const tr = p.r.split();
    const [other] = establish(pair(IKPSK2));
    assert.throwsCode(() => tr.decrypt(other.encrypt(text('payment'))), 3002, 'IKpsk2: responder, foreign transport');
    // Where the psk keys an initiator's message, the responder rejects it.
    const q = pair('Noise_IKpsk1_25519_ChaChaPoly_SHA256', { i: { psk: rand(32) } });
    assert.throwsCode(() => q.r.readMessage(q.i.writeMessage(text('pay'))), 3002, 'IKpsk1: responder reading message 1');
    assert.throwsCode(() => q.r.writeMessage(), 3001);
    const x = pair('Noise_XXpsk3_25519_ChaChaPoly_SHA256', { i: { psk: rand(32) } });
    x.r.readMessage(x.i.writeMessage());
    x.i.readMessage(x.r.writeMessage());
    assert.throwsCode(() => x.r.readMessage(x.i.writeMessage()), 3002, 'XXpsk3: responder reading message 3');
  });

  it('a wrong rs fails on the responder with 3002', () => {
    const q = pair('Noise_IK_25519_ChaChaPoly_SHA256', { i: { rs: keyPair().publicKey } });
    assert.throwsCode(() => q.r.readMessage(q.i.writeMessage()), 3002);
  });

  it('calls in the wrong order throw 3001 and kill the handshake', () => {
    let p = pair(IKPSK2);
    assert.throwsCode(() => p.i.readMessage(new Uint8Array(200)), 3001, 'initiator reads first');
    assert.throwsCode(() => p.i.writeMessage(), 3001, 'dead after the wrong call');
    p = pair(IKPSK2);
    assert.throwsCode(() => p.r.writeMessage(), 3001, 'responder writes first');
    p = pair(IKPSK2);
    const m1 = p.i.writeMessage();
    assert.throwsCode(() => p.i.writeMessage(), 3001, 'initiator writes twice');
    p = pair(IKPSK2);
    p.r.readMessage(p.i.writeMessage());
    assert.throwsCode(() => p.r.split(), 3001, 'split before completion');
    p = pair(IKPSK2);
    p.r.readMessage(p.i.writeMessage());
    assert.throwsCode(() => p.r.handshakeHash(), 3001, 'hash before completion');
    p = pair(IKPSK2);
    p.r.readMessage(p.i.writeMessage());
    assert.throwsCode(() => p.r.readMessage(m1), 3001, 'responder reads twice');
    p = pair(IKPSK2);
    establish(p);
    assert.throwsCode(() => p.i.split(), 3001, 'split twice');
    p = pair(IKPSK2);
    p.r.readMessage(p.i.writeMessage());
    p.i.readMessage(p.r.writeMessage());
    assert.ok(p.i.isComplete() && p.r.isComplete());
    assert.throwsCode(() => p.i.writeMessage(), 3001, 'handshake message after completion');
  });

  it('messages over 65535 bytes throw 3004', () => {
    const p = pair(IKPSK2);
    // IK message 1 without payload: e (32) + enc s (48) + tag (16) = 96.
    const ok = p.i.writeMessage(new Uint8Array(NOISE_MAX_MESSAGE - 96));
    assert.equal(ok.length, NOISE_MAX_MESSAGE);
    assert.ok(p.r.readMessage(ok).length === NOISE_MAX_MESSAGE - 96);
    const q = pair(IKPSK2);
    assert.throwsCode(() => q.i.writeMessage(new Uint8Array(NOISE_MAX_MESSAGE - 95)), 3004);
    const r = pair(IKPSK2);
    assert.throwsCode(() => r.r.readMessage(new Uint8Array(NOISE_MAX_MESSAGE + 1)), 3004);
    const [ti, tr] = establish(pair(IKPSK2));
    assert.throwsCode(() => ti.encrypt(new Uint8Array(NOISE_MAX_MESSAGE - 15)), 3004);
    assert.throwsCode(() => tr.decrypt(new Uint8Array(NOISE_MAX_MESSAGE + 1)), 3004);
    const big = ti.encrypt(new Uint8Array(NOISE_MAX_MESSAGE - 16));
    assert.equal(big.length, NOISE_MAX_MESSAGE);
    assert.equal(tr.decrypt(big).length, NOISE_MAX_MESSAGE - 16);
  });

  it('truncated handshake messages throw 3003', () => {
    const p = pair(IKPSK2);
    const m1 = p.i.writeMessage();
    assert.equal(m1.length, 96);
    for (const n of [0, 1, 31, 32, 79, 95]) {
      const q = pair(IKPSK2);
      assert.throwsCode(() => q.r.readMessage(m1.subarray(0, n)), 3003, `${n} bytes`);
    }
    // NN message 1 is a bare key; message 2 is a key plus the payload's tag.
    const nn = pair('Noise_NN_25519_ChaChaPoly_SHA256');
    assert.throwsCode(() => nn.r.readMessage(new Uint8Array(31)), 3003);
    const nn2 = pair('Noise_NN_25519_ChaChaPoly_SHA256');
    nn2.r.readMessage(nn2.i.writeMessage());
    const m2 = nn2.r.writeMessage();
    assert.equal(m2.length, 48);
    assert.throwsCode(() => nn2.i.readMessage(m2.subarray(0, 47)), 3003);
  });

  it('bad configurations are refused with coded errors', () => {
    const s = keyPair();
    const base = { protocol: IKPSK2, initiator: true, random: rand, s, rs: keyPair().publicKey, psk: rand(32) };
    assert.throwsCode(() => createHandshake({ ...base, rs: undefined }), 3006, 'IK initiator without rs');
    assert.throwsCode(() => createHandshake({ ...base, psk: undefined }), 3006, 'psk2 without psk');
    assert.throwsCode(() => createHandshake({ ...base, s: undefined }), 3006, 'IK initiator without s');
    assert.throwsCode(() => createHandshake({ ...base, random: undefined }), 3006, 'no ephemeral source');
    assert.throwsCode(() => createHandshake({ ...base, psk: rand(31) }), 2002, 'short psk');
    assert.throwsCode(() => createHandshake({ ...base, rs: rand(33) }), 2002, 'long rs');
    assert.throwsCode(() => createHandshake({ ...base, s: { secretKey: rand(32), publicKey: rand(31) } }), 2002, 'bad s');
    assert.throwsCode(() => createHandshake({ ...base, e: { secretKey: rand(16), publicKey: rand(32) } }), 2002, 'bad e');
    assert.throwsCode(() => x25519KeyPair(rand(31)), 2002);
    const badRandom = createHandshake({ ...base, random: () => new Uint8Array(8) });
    assert.throwsCode(() => badRandom.writeMessage(), 2002, 'random returning too few bytes');
    const failingRandom = createHandshake({
      ...base,
      random: () => {
        throw new Error('no entropy');
      },
    });
    assert.throwsCode(() => failingRandom.writeMessage(), 3006, 'random throwing');
    assert.throwsCode(
      () => createHandshake({ ...base, protocol: 'Noise_IK_448_ChaChaPoly_SHA256' as NoiseProtocol }),
      9001,
      'unsupported suite',
    );
    assert.throwsCode(
      () => createHandshake({ ...base, protocol: 'Noise_IKpsk4_25519_ChaChaPoly_SHA256' as NoiseProtocol }),
      9001,
      'psk4 on a two-message pattern',
    );
    assert.throwsCode(
      () => createHandshake({ ...base, protocol: 'Noise_IK_25519_ChaChaPoly_SHA256' }),
      9001,
      'a psk the protocol does not use',
    );
    assert.throwsCode(
      () => createHandshake({ ...base, protocol: 'Noise_XXpsk3_25519_ChaChaPoly_SHA256' }),
      9001,
      'an rs the pattern sends itself',
    );
  });
});

describe('noise: transport', () => {
  it('replayed, reordered and dropped-then-late messages fail with 3002 and leave the channel usable', () => {
    const [ti, tr] = establish(pair(IKPSK2));
    const c0 = ti.encrypt(text('zero'));
    const c1 = ti.encrypt(text('one'));
    const c2 = ti.encrypt(text('two'));
    assert.throwsCode(() => tr.decrypt(c1), 3002, 'reordered');
    assert.equal(tr.receiveNonce, 0, 'a failure does not advance the nonce');
    assert.bytes(tr.decrypt(c0), text('zero'));
    assert.throwsCode(() => tr.decrypt(c0), 3002, 'replayed');
    assert.bytes(tr.decrypt(c1), text('one'));
    assert.throwsCode(() => tr.decrypt(c1), 3002, 'duplicated');
    assert.throwsCode(() => tr.decrypt(c0), 3002, 'replayed late');
    assert.throwsCode(() => tr.decrypt(c2.subarray(0, 15)), 3002, 'shorter than a tag');
    assert.throwsCode(() => ti.decrypt(c2), 3002, 'reflected back to the sender');
    assert.equal(tr.receiveNonce, 2);
    assert.bytes(tr.decrypt(c2), text('two'));
    assert.equal(tr.receiveNonce, 3);
  });

  it('the sending nonce never repeats: same plaintext, different ciphertexts, counter monotonic', () => {
    const [ti, tr] = establish(pair(IKPSK2));
    const seen = new Set<string>();
    for (let n = 0; n < 50; n++) {
      assert.equal(ti.sendNonce, n);
      const c = ti.encrypt(text('same'));
      let h = '';
      for (const x of c) h += x.toString(16).padStart(2, '0');
      assert.ok(!seen.has(h), 'a ciphertext repeated');
      seen.add(h);
      assert.bytes(tr.decrypt(c), text('same'));
      assert.equal(tr.receiveNonce, n + 1);
    }
    // Failed encrypt calls (too long) do not use a nonce either.
    assert.throwsCode(() => ti.encrypt(new Uint8Array(NOISE_MAX_MESSAGE)), 3004);
    assert.equal(ti.sendNonce, 50);
  });

  it('CipherState encodes the nonce as 4 zero bytes then 64-bit little-endian, and stops before it runs out', () => {
    const key = rand(32);
    const ad = text('ad');
    const pt = text('payload');
    const cs = new CipherState(key);
    const n = 2 ** 40 + 2 ** 32 + 0x01020304;
    cs.setNonce(n);
    const nonce = new Uint8Array([0, 0, 0, 0, 4, 3, 2, 1, 1, 1, 0, 0]);
    assert.bytes(cs.encryptWithAd(ad, pt), chacha20poly1305(key, nonce, ad).encrypt(pt));
    assert.equal(cs.nonce, n + 1);
    assert.throwsCode(() => cs.setNonce(n), 3001, 'the nonce cannot go back');

    const rx = new CipherState(key);
    rx.setNonce(n);
    assert.throwsCode(() => rx.decryptWithAd(text('other'), chacha20poly1305(key, nonce, ad).encrypt(pt)), 3002);
    assert.equal(rx.nonce, n, 'a failed decrypt does not advance');
    assert.bytes(rx.decryptWithAd(ad, chacha20poly1305(key, nonce, ad).encrypt(pt)), pt);

    const last = new CipherState(key);
    last.setNonce(Number.MAX_SAFE_INTEGER - 1);
    last.encryptWithAd(ad, pt);
    assert.throwsCode(() => last.encryptWithAd(ad, pt), 3005);
    assert.throwsCode(() => last.decryptWithAd(ad, new Uint8Array(16)), 3005);
    assert.throwsCode(() => last.encryptWithAd(ad, pt), 3005, 'still exhausted');
    assert.throwsCode(() => new CipherState(rand(16)), 2002);

    // Without a key, a CipherState passes data through (handshake messages before any DH).
    assert.bytes(new CipherState().encryptWithAd(ad, pt), pt);
  });

  it('rekey changes the key on both sides in step', () => {
    const key = rand(32);
    const a = new CipherState(key);
    const b = new CipherState(key);
    a.rekey();
    const c = a.encryptWithAd(new Uint8Array(0), text('x'));
    assert.throwsCode(() => b.decryptWithAd(new Uint8Array(0), c), 3002);
    b.rekey();
    assert.bytes(b.decryptWithAd(new Uint8Array(0), c), text('x'));
  });
});

describe('noise: fuzz', () => {
  let inputs = 0;

  it('handshake readMessage on fresh peers: 300 random and mutated messages', () => {
    const rng = fuzzRng(0x7a11);
    // Fixed keys and ephemerals, so that one valid message 1 and 2 exist to mutate.
    const si = x25519KeyPair(rng.bytes(32));
    const sr = x25519KeyPair(rng.bytes(32));
    const ei = x25519KeyPair(rng.bytes(32));
    const er = x25519KeyPair(rng.bytes(32));
    const psk = rng.bytes(32);
    const initiator = (): NoiseHandshake => createHandshake({ protocol: IKPSK2, initiator: true, s: si, rs: sr.publicKey, psk, e: ei });
    const responder = (): NoiseHandshake => createHandshake({ protocol: IKPSK2, initiator: false, s: sr, psk, e: er });
    const p: Pair = { i: initiator(), r: responder() };
    const m1 = p.i.writeMessage(text('certificate, chain head, revocation version'));
    const m2 = p.r.readMessage(m1) && p.r.writeMessage(text('certificate, amount, nonce'));

    let ok = 0;
    for (let n = 0; n < 240; n++) {
      const input = rng.below(5) === 0 ? rng.bytes(rng.below(200)) : mutate(m1, rng);
      if (feed(() => responder().readMessage(input), DECODE_CODES)) ok++;
      inputs++;
    }
    for (let n = 0; n < 60; n++) {
      const i = initiator();
      i.writeMessage(text('certificate, chain head, revocation version'));
      const input = rng.below(5) === 0 ? rng.bytes(rng.below(120)) : mutate(m2, rng);
      if (feed(() => i.readMessage(input), DECODE_CODES)) ok++;
      inputs++;
    }
    assert.ok(ok > 0, 'some unchanged messages were accepted');
    assert.ok(ok < 150, 'most mutated messages were rejected');
  });

  it('transport decrypt: 9,700 random, mutated, replayed and valid messages', () => {
    const rng = fuzzRng(0xc0ffee);
    const [ti, tr] = establish(pair(IKPSK2));
    const dirs: [NoiseTransport, NoiseTransport][] = [
      [ti, tr],
      [tr, ti],
    ];
    const pending = dirs.map(([tx]) => tx.encrypt(rng.bytes(rng.below(48))));
    const previous = pending.slice();
    let accepted = 0;
    for (let n = 0; n < 9700; n++) {
      const d = rng.below(2);
      const rx = dirs[d]![1];
      const valid = pending[d]!;
      const r = rng.below(10);
      const input =
        r === 0 ? rng.bytes(rng.below(64)) : r === 1 ? previous[d]! : r === 2 ? valid : mutate(valid, rng);
      const before = rx.receiveNonce;
      if (feed(() => rx.decrypt(input), [3002, 3004])) {
        // Only the one valid message can be accepted, and it uses exactly one nonce.
        assert.bytes(input, valid, 'accepted something that is not the next message');
        assert.equal(rx.receiveNonce, before + 1);
        accepted++;
        previous[d] = valid;
        pending[d] = dirs[d]![0].encrypt(rng.bytes(rng.below(48)));
      } else {
        assert.equal(rx.receiveNonce, before, 'a rejected message moved the nonce');
      }
      inputs++;
    }
    assert.ok(accepted > 500, `valid messages kept flowing (${accepted})`);
  });

  it('fed at least 10,000 inputs in all', () => {
    assert.ok(inputs >= 10000, `only ${inputs} inputs`);
  });
});
