// The simulated hardware: NOR flash, the radio model, the seeded random
// source, and the simulator's crypto against the card core's noble default.
import { strict as assert } from 'node:assert';
import { noblePrimitives } from '../../firmware/core/index.js';
import { TapSelector } from '../../firmware/app/radio.js';
import { NorFlash, PowerCut } from '../../simulator/card/nor-flash.js';
import { DEFAULT_RADIO, rssiAt } from '../../simulator/radio/ble.js';
import { Clock } from '../../simulator/radio/clock.js';
import { Rng } from '../../simulator/random.js';
import { simCrypto } from '../../simulator/world/crypto.js';

describe('simulator: NOR flash', () => {
  it('erases to 0xFF and writes only clear bits', () => {
    const f = new NorFlash(4);
    assert.deepEqual([...f.read(100, 3)], [0xff, 0xff, 0xff]);
    f.write(100, Uint8Array.of(0xf0, 0x0f, 0x55));
    f.write(100, Uint8Array.of(0x3c, 0xff, 0xff));
    assert.deepEqual([...f.read(100, 3)], [0x30, 0x0f, 0x55]);
    f.eraseSector(0);
    assert.deepEqual([...f.read(100, 3)], [0xff, 0xff, 0xff]);
    assert.throws(() => f.read(4 * 4096 - 1, 2), RangeError);
  });

  it('loses power before, after or inside a write, and inside an erase', () => {
    for (const mode of ['before', 'after', 'torn', 'torn-header'] as const) {
      const f = new NorFlash(4);
      f.armCut({ write: 2, mode });
      f.write(0, new Uint8Array(8).fill(0));
      assert.throws(() => f.write(8, new Uint8Array(8).fill(0)), PowerCut);
      assert.ok(f.dead);
      assert.throws(() => f.read(0, 1), PowerCut);
      f.powerOn();
      const b = f.read(8, 8);
      const programmed = b.filter((x) => x === 0).length;
      if (mode === 'before') assert.equal(programmed, 0);
      if (mode === 'after') assert.equal(programmed, 8);
      if (mode === 'torn') assert.equal(programmed, 4);
      if (mode === 'torn-header') assert.equal(programmed, 3);
      assert.deepEqual([...f.read(0, 8)], new Array(8).fill(0), 'the earlier write survives');
    }
    const f = new NorFlash(4);
    f.write(0, new Uint8Array(4096).fill(0));
    f.armCut({ erase: 1 });
    assert.throws(() => f.eraseSector(0), PowerCut);
    f.powerOn();
    assert.equal(f.read(0, 1)[0], 0xff);
    assert.equal(f.read(4095, 1)[0], 0);
  });

  it('a copy is independent (a cloner reads the chip)', () => {
    const f = new NorFlash(4);
    f.write(10, Uint8Array.of(1));
    const g = f.copy();
    f.eraseSector(0);
    assert.equal(g.read(10, 1)[0], 1);
  });
});

describe('simulator: radio model', () => {
  it('RSSI falls with distance; a held card is above the tap threshold, one a metre away is not', () => {
    const rng = new Rng('rssi');
    const avg = (d: number): number => {
      let s = 0;
      for (let i = 0; i < 500; i++) s += rssiAt(DEFAULT_RADIO, d, rng);
      return s / 500;
    };
    assert.ok(avg(0.03) > -40);
    assert.ok(avg(1) < -55);
    assert.ok(avg(5) < avg(1));
    const tap = new TapSelector();
    let picked = false;
    for (let i = 0; i < 6 && !picked; i++) {
      assert.equal(tap.offer({ id: 'far', rssi: rssiAt(DEFAULT_RADIO, 3, rng) }), false);
      picked = tap.offer({ id: 'near', rssi: rssiAt(DEFAULT_RADIO, 0.02, rng) });
    }
    assert.ok(picked);
  });

  it('the clock runs events in time order, same-time events in order, and cancels', async () => {
    const c = new Clock(0);
    const seen: string[] = [];
    c.after(10, () => void seen.push('b'));
    c.after(5, () => void seen.push('a'));
    c.after(10, () => void seen.push('c'));
    const x = c.after(7, () => void seen.push('x'));
    c.clear(x);
    await c.run();
    assert.deepEqual(seen, ['a', 'b', 'c']);
    assert.equal(c.now, 10);
  });
});

describe('simulator: seeded randomness and crypto', () => {
  it('the same seed gives the same bytes', () => {
    assert.deepEqual(new Rng('s').bytes(40), new Rng('s').bytes(40));
    assert.notDeepEqual(new Rng('s').bytes(40), new Rng('t').bytes(40));
  });

  it('the simulator primitives give what noble gives, memo hits included', () => {
    const c = simCrypto();
    const p = c.primitives;
    const n = noblePrimitives;
    const rng = new Rng('crypto');
    for (let i = 0; i < 6; i++) {
      const a = rng.bytes(32);
      const b = rng.bytes(32);
      const A = p.x25519PublicKey(a);
      const B = p.x25519PublicKey(b);
      assert.deepEqual(A, n.x25519PublicKey(a));
      assert.deepEqual(p.x25519(a, B), n.x25519(a, B));
      assert.deepEqual(p.x25519(b, A), n.x25519(b, A)); // a memo hit: DH(b, A) = DH(a, B)
      const seed = rng.bytes(32);
      const msg = rng.bytes(100);
      const sig = p.ed25519Sign(msg, seed);
      assert.deepEqual(sig, n.ed25519Sign(msg, seed));
      const pub = n.ed25519PublicKey(seed);
      assert.equal(p.ed25519Verify(sig, msg, pub), true);
      const bad = msg.slice();
      bad[0]! ^= 1;
      assert.equal(p.ed25519Verify(sig, bad, pub), false);
      const ck = rng.bytes(32);
      const ikm = rng.bytes(32);
      assert.deepEqual(p.noiseHkdf(ck, ikm, 3), n.noiseHkdf(ck, ikm, 3));
      assert.deepEqual(p.noiseHkdf(ck, ikm, 3), n.noiseHkdf(ck, ikm, 3));
      const key = rng.bytes(32);
      const nonce = rng.bytes(12);
      const ct = p.aeadEncrypt(key, nonce, ck, msg);
      assert.deepEqual(ct, n.aeadEncrypt(key, nonce, ck, msg));
      assert.deepEqual(p.aeadDecrypt(key, nonce, ck, ct), msg);
      const tampered = ct.slice();
      tampered[3]! ^= 1;
      assert.equal(p.aeadDecrypt(key, nonce, ck, tampered), null);
      assert.equal(p.aeadDecrypt(key, nonce, ikm, ct), null);
    }
    assert.ok(c.stats.hits > 0);
  });
});
