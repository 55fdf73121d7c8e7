// Serial framing (COBS + length + CRC-32 + sequence number). Portable.
import { FRAME_PAYLOAD_MAX, FrameDecoder, cobsDecode, cobsEncode, crc32, decodeChunk, encodeFrame, toHex, utf8 } from '../../firmware/core/index.js';
import { assert, describe, fuzzRng, it } from '../portable/spec.js';

describe('serial framing', () => {
  it('computes the standard CRC-32 check value', () => {
    assert.equal(crc32(utf8('123456789')), 0xcbf43926);
  });

  it('COBS round-trips and never emits 0x00 before the delimiter', () => {
    const rng = fuzzRng(5);
    for (const n of [0, 1, 253, 254, 255, 256, 600]) {
      for (const fill of ['random', 'zeros', 'ones']) {
        const src = fill === 'random' ? rng.bytes(n) : new Uint8Array(n).fill(fill === 'zeros' ? 0 : 1);
        const enc = cobsEncode(src);
        assert.equal(enc[enc.length - 1], 0);
        assert.ok(enc.subarray(0, -1).every((b) => b !== 0), 'no zero inside');
        assert.equal(toHex(cobsDecode(enc.subarray(0, -1))!), toHex(src), `${n} ${fill}`);
      }
    }
  });

  it('decodes frames split across arbitrary chunks, with garbage between them', () => {
    const d = new FrameDecoder();
    const a = encodeFrame(1, utf8('hello'));
    const b = encodeFrame(2, new Uint8Array(FRAME_PAYLOAD_MAX));
    const stream = new Uint8Array([...Uint8Array.of(9, 9, 9, 0), ...a, ...b]);
    const events = [];
    for (let i = 0; i < stream.length; i += 7) events.push(...d.push(stream.subarray(i, i + 7)));
    const frames = events.filter((e) => 'frame' in e);
    const errors = events.filter((e) => 'error' in e);
    assert.equal(frames.length, 2);
    assert.equal(errors.length, 1, 'the garbage before the first delimiter is one coded error');
    assert.deepEqual(frames.map((f) => ('frame' in f ? f.frame.seq : -1)), [1, 2]);
  });

  it('refuses corrupted, truncated and oversized frames with codes', () => {
    const f = encodeFrame(7, utf8('payload'));
    const flipped = Uint8Array.from(f);
    flipped[5] = flipped[5]! ^ 0x10 || 1;
    const e1 = decodeChunk(flipped.subarray(0, -1));
    assert.ok('error' in e1 && (e1.error.code === 6003 || e1.error.code === 6001));
    const e2 = decodeChunk(f.subarray(0, 5));
    assert.ok('error' in e2 && e2.error.code === 6001);
    const d = new FrameDecoder();
    const ev = d.push(new Uint8Array(FRAME_PAYLOAD_MAX + 100).fill(7));
    assert.equal(ev.length, 0, 'nothing until the delimiter');
    const ev2 = d.push(Uint8Array.of(0));
    assert.ok(ev2.length === 1 && 'error' in ev2[0]! && ev2[0]!.error.code === 6002);
    assert.throwsCode(() => encodeFrame(1, new Uint8Array(FRAME_PAYLOAD_MAX + 1)), 6002);
  });

  it('answers 10,000 random and mutated chunks with a frame or a coded error', () => {
    const rng = fuzzRng(77);
    const good = encodeFrame(3, utf8('{"cmd":1}')).subarray(0, -1);
    let frames = 0;
    for (let i = 0; i < 10000; i++) {
      let c: Uint8Array;
      if (i % 3 === 0) c = rng.bytes(1 + rng.below(40));
      else {
        c = Uint8Array.from(good);
        c[rng.below(c.length)] = rng.below(256);
        if (rng.below(3) === 0) c = c.subarray(0, rng.below(c.length) + 1);
      }
      const e = decodeChunk(c);
      if ('frame' in e) frames++;
      else assert.ok([6001, 6002, 6003].includes(e.error.code), `code ${e.error.code}`);
    }
    assert.ok(frames < 50, 'CRC lets almost nothing mutated through');
  });
});
