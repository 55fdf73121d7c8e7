// Keys, identities, domain-separated signatures and certificates. Portable.
import {
  CardKeys,
  Signer,
  cardIdOf,
  decodeCertificate,
  issueCertificate,
  keyIdOf,
  toHex,
  trustedAuthorities,
  verifyCertificate,
  verifySignature,
  type CertificateFields,
} from '../../firmware/core/index.js';
import { assert, describe, fuzzRng, host, it } from '../portable/spec.js';

const seeded = (seed: number) => {
  const r = fuzzRng(seed);
  return (n: number) => r.bytes(n);
};

describe('identity', () => {
  const authority = new Signer(new Uint8Array(32).fill(1));
  const card = CardKeys.generate(seeded(7));
  const fields = (over: Partial<CertificateFields> = {}): CertificateFields => ({
    cardId: card.cardId,
    signKey: card.signer.publicKey,
    dhKey: card.dh.publicKey,
    account: 'alice',
    allowance: 50_00,
    currency: 'EUR',
    epochFrom: 3,
    epochTo: 10,
    serial: 1,
    ...over,
  });
  const trusted = trustedAuthorities([authority.publicKey]);

  it('derives card ids and key ids from public keys', () => {
    assert.equal(card.cardId.length, 16);
    assert.equal(toHex(cardIdOf(card.signer.publicKey)), toHex(card.cardId));
    assert.equal(keyIdOf(authority.publicKey).length, 8);
  });

  it('makes keys from the random source it is given', () => {
    const a = CardKeys.generate(seeded(9));
    const b = CardKeys.generate(seeded(9));
    assert.equal(toHex(a.cardId), toHex(b.cardId));
    const r = CardKeys.generate(host().randomBytes);
    assert.ok(toHex(r.cardId) !== toHex(a.cardId));
  });

  it('never shows secrets in JSON', () => {
    const json = JSON.stringify(card);
    assert.ok(!json.includes(toHex(card.signer.exportSecret())));
    assert.ok(!json.includes(toHex(card.dh.exportSecret())));
  });

  it('holds secrets in closures: no enumerable property, none writable, no #private WeakMap (preload)', () => {
    for (const o of [card.signer, card.dh] as object[]) {
      assert.deepEqual(Object.keys(o), ['publicKey']);
      const spread = JSON.stringify({ ...o }, (_k, v: unknown) => (v instanceof Uint8Array ? toHex(v) : v));
      assert.ok(!spread.includes(toHex(card.signer.exportSecret())) && !spread.includes(toHex(card.dh.exportSecret())));
      for (const name of Object.getOwnPropertyNames(o)) {
        const d = Object.getOwnPropertyDescriptor(o, name)!;
        if (typeof d.value === 'function') assert.ok(!d.enumerable && !d.writable && !d.configurable, name);
        else assert.ok(d.value instanceof Uint8Array && d.value.length === 32, `${name} is only the public key`);
      }
    }
  });

  it('separates signing domains: a signature over one structure fails as another', () => {
    const body = new Uint8Array([1, 2, 3]);
    const sig = card.signer.sign('payment', body);
    assert.ok(verifySignature('payment', body, sig, card.signer.publicKey));
    assert.ok(!verifySignature('receipt', body, sig, card.signer.publicKey));
    assert.ok(!verifySignature('payment', new Uint8Array([1, 2, 4]), sig, card.signer.publicKey));
  });

  it('issues a certificate that verifies and round-trips', () => {
    const cert = issueCertificate(authority, fields());
    verifyCertificate(cert, trusted, { epoch: 5, cardId: card.cardId });
    const back = decodeCertificate(cert.bytes);
    assert.equal(back.account, 'alice');
    assert.equal(back.allowance, 5000);
    assert.equal(toHex(back.issuerKeyId), toHex(keyIdOf(authority.publicKey)));
    assert.ok(cert.bytes.length < 384);
  });

  it('refuses certificates with the right codes', () => {
    const cert = issueCertificate(authority, fields());
    assert.throwsCode(() => verifyCertificate(cert, trustedAuthorities([card.signer.publicKey]), { epoch: 5 }), 2003);
    assert.throwsCode(() => verifyCertificate(cert, trusted, { epoch: 11 }), 2004);
    assert.throwsCode(() => verifyCertificate(cert, trusted, { epoch: 2 }), 2005);
    assert.throwsCode(() => verifyCertificate(cert, trusted, { epoch: 5, cardId: new Uint8Array(16) }), 2006);
    const forged = issueCertificate(new Signer(new Uint8Array(32).fill(2)), fields());
    const sameIssuer = { ...forged, issuerKeyId: cert.issuerKeyId };
    assert.throwsCode(() => verifyCertificate(sameIssuer, trusted, { epoch: 5 }), 2001);
    // The same bytes with the account renamed: decodes, but the signature no longer holds.
    const tampered = Uint8Array.from(cert.bytes);
    const at = toHex(tampered).indexOf(toHex(new TextEncoder().encode('alice'))) / 2;
    tampered[at + 4] = 'f'.charCodeAt(0);
    assert.throwsCode(() => verifyCertificate(decodeCertificate(tampered), trusted, { epoch: 5 }), 2001);
  });

  it('refuses a certificate whose card id is not derived from its key', () => {
    assert.throwsCode(() => issueCertificate(authority, fields({ cardId: new Uint8Array(16) })), 2006);
  });

  it('decodes 10,000 mutated certificates to a value or a coded error', () => {
    const good = issueCertificate(authority, fields()).bytes;
    const rng = fuzzRng(42);
    for (let i = 0; i < 10000; i++) {
      let b: Uint8Array = Uint8Array.from(good);
      if (i % 10 === 0) b = rng.bytes(rng.below(300));
      else {
        const at = rng.below(b.length);
        b[at] = b[at]! ^ (1 + rng.below(255));
        if (i % 3 === 0) b = b.subarray(0, rng.below(b.length));
      }
      try {
        decodeCertificate(b);
      } catch (e) {
        assert.equal(typeof (e as { code?: unknown }).code, 'number', String(e));
      }
    }
  });
});
