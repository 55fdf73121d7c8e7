// Deterministic outputs of the card core, computed on both engines and
// compared by test/xs/xs.test.ts ('xs and v8 agree'). The core is passed in:
// on V8 it is the tsc build of firmware/core, on XS the shipped bundle
// (globalThis.TallyCore). Keep every input fixed (no host randomness) and
// every output a string.
type Core = typeof import('../../firmware/core/index.js');

/** Fixed pseudo-random bytes (xorshift32), identical on both engines. */
function fixedBytes(seed: number, n: number): Uint8Array {
  let s = seed >>> 0 || 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s & 255;
  }
  return out;
}

export function goldenOutputs(core: Core): Record<string, string> {
  const out: Record<string, string> = {};
  const sizes = [0, 1, 2, 3, 4, 5, 31, 32, 33, 64, 100];
  for (const n of sizes) {
    const b = fixedBytes(0x7a11 + n, n);
    out[`hex/${n}`] = core.toHex(b);
    out[`base32/${n}`] = core.toBase32(b);
    const back = core.fromBase32(core.toBase32(b));
    out[`base32-roundtrip/${n}`] = back ? core.toHex(back) : 'null';
  }
  out['utf8'] = core.toHex(core.utf8('Tally: 12,50 € → ✓ 𝄞'));
  out['concat'] = core.toHex(core.concat(fixedBytes(1, 3), fixedBytes(2, 0), fixedBytes(3, 5)));
  out['compare'] = [core.compareBytes(fixedBytes(4, 4), fixedBytes(5, 4)), core.compareBytes(fixedBytes(6, 3), fixedBytes(6, 4))]
    .map((x) => Math.sign(x))
    .join(',');
  out['error'] = JSON.stringify(core.tallyError(3002, 'golden').toJSON());

  // Deterministic CBOR of a payment-shaped map, and its strict decoding.
  const m = new Map<number | string, import('../../firmware/core/index.js').CborValue>([
    [10, fixedBytes(7, 32)], [1, 1], ['z', [1, -1, 2 ** 40, -(2 ** 40), '€']], [2, true], [3, null], [-5, new Uint8Array(0)],
  ]);
  const enc = core.encodeCanonical(m);
  out['cbor'] = core.toHex(enc);
  out['cbor-roundtrip'] = core.toHex(core.encodeCanonical(core.decodeCanonical(enc, { maxBytes: 256 })));

  // Keys, domain-separated signatures and a certificate.
  const authority = new core.Signer(fixedBytes(8, 32));
  const card = new core.CardKeys(new core.Signer(fixedBytes(9, 32)), new core.DhKey(fixedBytes(10, 32)));
  out['card-id'] = core.toHex(card.cardId);
  out['dh-public'] = core.toHex(card.dh.publicKey);
  out['key-id'] = core.toHex(core.keyIdOf(authority.publicKey));
  out['signature'] = core.toHex(card.signer.sign('payment', fixedBytes(11, 100)));
  const cert = core.issueCertificate(authority, {
    cardId: card.cardId, signKey: card.signer.publicKey, dhKey: card.dh.publicKey, account: 'golden',
    allowance: 12345, currency: 'EUR', epochFrom: 1, epochTo: 9, serial: 2,
  });
  out['certificate'] = core.toHex(cert.bytes);
  core.verifyCertificate(core.decodeCertificate(cert.bytes), core.trustedAuthorities([authority.publicKey]), { epoch: 5 });

  // A Noise IKpsk2 handshake and one transport message each way, all keys fixed.
  const responderStatic = core.x25519KeyPair(fixedBytes(12, 32));
  const psk = core.pskFromToken(fixedBytes(13, 16));
  const protocol = 'Noise_IKpsk2_25519_ChaChaPoly_SHA256' as const;
  const i = core.createHandshake({ protocol, initiator: true, s: card.dh.keyPair(), rs: responderStatic.publicKey, psk, e: core.x25519KeyPair(fixedBytes(14, 32)) });
  const r = core.createHandshake({ protocol, initiator: false, s: responderStatic, psk, e: core.x25519KeyPair(fixedBytes(15, 32)) });
  const m1 = i.writeMessage(fixedBytes(16, 40));
  r.readMessage(m1);
  const m2 = r.writeMessage(fixedBytes(17, 20));
  i.readMessage(m2);
  const ti = i.split();
  const tr = r.split();
  out['noise-m1'] = core.toHex(m1);
  out['noise-m2'] = core.toHex(m2);
  out['noise-hash'] = core.toHex(i.handshakeHash());
  out['noise-t1'] = core.toHex(ti.encrypt(fixedBytes(18, 256)));
  out['noise-t1-plain'] = core.toHex(tr.decrypt(core.fromHex(out['noise-t1'])));

  // The pairing payload.
  const uri = core.encodePairing({ cardId: card.cardId, staticKey: responderStatic.publicKey, bleAddress: fixedBytes(19, 6), token: fixedBytes(13, 16), amount: 1250, currency: 'EUR' });
  out['pairing'] = uri;
  out['pairing-roundtrip'] = core.encodePairing(core.decodePairing(uri));
  return out;
}
