// The tally: pairing payload (QR code and deep link). Portable.
import qrcode from 'qrcode-generator';
import { AMOUNT_MAX, decodePairing, encodePairing, pskFromToken, toHex, type PairingOffer } from '../../firmware/core/index.js';
import { assert, describe, fuzzRng, it } from '../portable/spec.js';

const offer = (over: Partial<PairingOffer> = {}): PairingOffer => ({
  cardId: new Uint8Array(16).fill(0xab),
  staticKey: new Uint8Array(32).fill(0xcd),
  bleAddress: Uint8Array.of(0xc0, 0x11, 0x22, 0x33, 0x44, 0x55),
  token: new Uint8Array(16).fill(0x5a),
  ...over,
});

const same = (a: PairingOffer, b: PairingOffer) =>
  JSON.stringify([toHex(a.cardId), toHex(a.staticKey), toHex(a.bleAddress), toHex(a.token), a.amount, a.currency]) ===
  JSON.stringify([toHex(b.cardId), toHex(b.staticKey), toHex(b.bleAddress), toHex(b.token), b.amount, b.currency]);

describe('pairing payload', () => {
  it('round-trips with and without amount and currency', () => {
    for (const o of [offer(), offer({ amount: 250 }), offer({ amount: 1999, currency: 'EUR' })]) {
      const uri = encodePairing(o);
      assert.ok(uri.startsWith('TALLY:PAY/1/'), uri);
      assert.ok(same(decodePairing(uri), o), uri);
    }
  });

  it('is a deep link: the scheme is case-insensitive', () => {
    const uri = encodePairing(offer({ amount: 5 }));
    assert.ok(same(decodePairing('tally:' + uri.slice(6)), offer({ amount: 5 })));
  });

  it('fits a QR code of version 6 or lower at level M for the largest offer', () => {
    const uri = encodePairing(offer({ amount: AMOUNT_MAX, currency: 'EUR' }));
    assert.ok(/^[0-9A-Z $%*+\-./:]+$/.test(uri), 'QR alphanumeric alphabet only');
    const qr = qrcode(0, 'M');
    qr.addData(uri, 'Alphanumeric');
    qr.make();
    assert.ok(qr.getModuleCount() <= 41, `version ${(qr.getModuleCount() - 17) / 4} for ${uri.length} characters`);
    // 41 modules + 4-module quiet zones at 4 px each fit in 200 px.
    assert.ok((qr.getModuleCount() + 8) * 4 <= 200);
  });

  it('refuses malformed links with coded errors', () => {
    const good = encodePairing(offer({ amount: 12, currency: 'EUR' }));
    const cases: [string, number][] = [
      ['https://example.com', 1101],
      ['TALLY:PAY/2/' + good.slice(12), 1103],
      [good.replace('/12/', '/012/'), 1104],
      [good.replace('/12/', '/0/'), 1104],
      [good.replace('/12/', '/281474976710656/'), 1104],
      [good.replace('/EUR', '/eur'), 1105],
      [good + '/X', 1102],
      [good.replace('TALLY:PAY/1/', 'TALLY:PAY/1/A'), 1102],
      [good.slice(0, 40), 1102],
      [good.toLowerCase(), 1101],
      ['TALLY:' + 'A'.repeat(300), 1001],
    ];
    for (const [uri, code] of cases) assert.throwsCode(() => decodePairing(uri), code, uri);
  });

  it('has exactly one spelling: non-zero trailing base32 bits are refused', () => {
    const good = encodePairing(offer());
    const parts = good.split('/');
    const id = parts[2]!;
    const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    parts[2] = id.slice(0, -1) + B32[B32.indexOf(id.slice(-1)) ^ 1]; // 128 bits in 26 characters: the last 2 bits are padding
    assert.throwsCode(() => decodePairing(parts.join('/')), 1102);
  });

  it('derives a 32-byte PSK from the token', () => {
    assert.equal(pskFromToken(new Uint8Array(16)).length, 32);
    assert.ok(toHex(pskFromToken(new Uint8Array(16))) !== toHex(pskFromToken(new Uint8Array(16).fill(1))));
  });

  it('decodes 10,000 random and mutated links to an offer or a coded error', () => {
    const rng = fuzzRng(99);
    const good = encodePairing(offer({ amount: 77, currency: 'USD' }));
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567890/:';
    for (let i = 0; i < 10000; i++) {
      let s: string;
      if (i % 4 === 0) {
        s = '';
        const n = rng.below(160);
        for (let j = 0; j < n; j++) s += alphabet[rng.below(alphabet.length)];
      } else {
        const c = good.split('');
        const k = 1 + rng.below(3);
        for (let j = 0; j < k; j++) c[rng.below(c.length)] = alphabet[rng.below(alphabet.length)]!;
        s = c.join('');
        if (rng.below(5) === 0) s = s.slice(0, rng.below(s.length));
      }
      try {
        const o = decodePairing(s);
        assert.equal(encodePairing(o), s.slice(0, 6).toUpperCase() + s.slice(6), 'accepted links re-encode identically');
      } catch (e) {
        assert.equal(typeof (e as { code?: unknown }).code, 'number', String(e));
      }
    }
  });
});
