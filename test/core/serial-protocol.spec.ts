// The card's serial command protocol (firmware/core/serial): envelopes, the
// commands through a SerialCard, the retransmission cache, refusals, and a
// fuzz of every decoder. Portable: runs on V8 and inside XS.
import {
  Card,
  CardKeys,
  FrameDecoder,
  Signer,
  SerialCard,
  ZERO_HASH,
  applyCommands,
  decodeCanonical,
  decodeEnrolment,
  decodeKeyStore,
  decodeRequest,
  decodeResponse,
  encodeCanonical,
  encodeError,
  encodeFrame,
  encodeKeyStore,
  encodeRecordBody,
  encodeRequest,
  encodeResult,
  enrolChallenge,
  equalBytes,
  isNotice,
  issueAck,
  issueCertificate,
  issueEpoch,
  issueLoad,
  issueRevocations,
  recordHash,
  replyError,
  toHex,
  utf8,
  verifyEnrolment,
  TallyError,
  type CommandName,
  type Flash,
  type ResultOf,
  type SerialRequest,
} from '../../firmware/core/index.js';
import { assert, describe, fuzzRng, it } from '../portable/spec.js';

// ---- a small card on NOR flash in memory ---------------------------------------

function memFlash(sectors: number): Flash & { data: Uint8Array } {
  const sectorBytes = 4096;
  const data = new Uint8Array(sectors * sectorBytes).fill(0xff);
  return {
    data,
    sectorBytes,
    sizeBytes: data.length,
    read: (o, n) => data.slice(o, o + n),
    write: (o, b) => {
      for (let i = 0; i < b.length; i++) data[o + i]! &= b[i]!;
    },
    eraseSector: (s) => void data.fill(0xff, s * sectorBytes, (s + 1) * sectorBytes),
  };
}

function seeded(seed: number): (n: number) => Uint8Array {
  const rng = fuzzRng(seed);
  return (n) => rng.bytes(n);
}

type Answer<C extends CommandName> = { ok: true; result: ResultOf[C] } | { ok: false; error: { code: number; message: string; notice: boolean } };

interface Rig {
  authority: Signer;
  serial: SerialCard;
  card(): Card | undefined;
  flash: Flash & { data: Uint8Array };
  /** Every byte the card sent. */
  wire: Uint8Array[];
  keyStore: Uint8Array | undefined;
  /** Sends one request with `seq`; returns the decoded answer (the last frame with that seq). */
  call<R extends SerialRequest>(seq: number, req: R): Answer<R['cmd']>;
  raw(bytes: Uint8Array): { seq: number; payload: Uint8Array }[];
}

function rig(seed = 1): Rig {
  const authority = new Signer(seeded(seed)(32));
  const flash = memFlash(8);
  const random = seeded(seed + 1000);
  let card: Card | undefined;
  const wire: Uint8Array[] = [];
  const r: Rig = {
    authority,
    flash,
    wire,
    keyStore: undefined,
    card: () => card,
    serial: undefined as unknown as SerialCard,
    raw(bytes) {
      const before = wire.length;
      r.serial.receive(bytes);
      const dec = new FrameDecoder();
      const out: { seq: number; payload: Uint8Array }[] = [];
      for (const w of wire.slice(before)) for (const ev of dec.push(w)) if ('frame' in ev) out.push(ev.frame);
      return out;
    },
    call(seq, req) {
      const frames = r.raw(encodeFrame(seq, encodeRequest(req)));
      const mine = frames.filter((f) => f.seq === seq && !isNotice(f.payload));
      assert.equal(mine.length, 1, 'one answer per request');
      if (req.cmd === 'dump') assert.ok(mine[0]!.payload.length <= (req.maxBytes ?? 4096), 'a dump chunk stays within its bound');
      return decodeResponse(req.cmd, mine[0]!.payload) as never;
    },
  };
  r.serial = new SerialCard({
    firmware: 'tally-test 1.0',
    random,
    host: {
      card: () => card,
      provision: (keys) => {
        r.keyStore = encodeKeyStore(keys);
        Card.format(flash);
        card = Card.open({ keys, flash, random, tick: { nowMs: () => 0 }, authorities: [authority.publicKey] });
        return card;
      },
      send: (b) => void wire.push(b.slice()),
    },
  });
  return r;
}

function ok<A extends Answer<CommandName>>(a: A): Extract<A, { ok: true }>['result'] {
  if (!a.ok) throw new Error(`refused: ${a.error.code} ${a.error.message}`);
  return a.result;
}
function refused(a: { ok: boolean; error?: { code: number } }, code: number, what: string): void {
  assert.ok(!a.ok, `${what}: expected a refusal`);
  assert.equal(a.error!.code, code, `${what}: code`);
}

/** Provisions a rig's card for account 'alice' with an allowance; returns its keys. */
function provisioned(r: Rig, allowance = 0): CardKeys {
  const ch = enrolChallenge(seeded(99));
  const p = ok(r.call(1, { cmd: 'provision', account: 'alice', challenge: ch.challenge }));
  const req = decodeEnrolment(p.enrolment);
  verifyEnrolment(req, ch.secret);
  const keys = r.card()!.keys;
  const cert = issueCertificate(r.authority, {
    cardId: req.cardId, signKey: req.signKey, dhKey: req.dhKey, account: 'alice', allowance, currency: 'EUR', epochFrom: 1, epochTo: 50, serial: 1,
  });
  assert.equal(ok(r.call(2, { cmd: 'applyCert', statement: cert.bytes })).applied, true);
  return keys;
}

/** Appends `n` signed payment records to the card's ledger (as its payment sessions would). */
function pay(r: Rig, n: number): void {
  const c = r.card()!;
  for (let i = 0; i < n; i++) {
    const l = c.ledger;
    const body = encodeRecordBody({
      kind: 'payment', card: c.cardId, seq: l.seq + 1, prev: l.head, payee: new Uint8Array(16).fill(7), amount: 100, currency: 'EUR',
      spentBefore: l.spent, nonce: new Uint8Array(16).fill(i & 255), handshakeHash: new Uint8Array(32).fill(3), epoch: 1, certSerial: 1,
    });
    l.appendPayment(body, c.keys.signer.sign('payment', body));
  }
}

function dumpAll(r: Rig, after: Uint8Array = ZERO_HASH, seq0 = 10): { bodies: Uint8Array[]; chunks: number } {
  const bodies: Uint8Array[] = [];
  let at = after;
  let seq = seq0;
  let chunks = 0;
  for (;;) {
    const d = ok(r.call(seq++ & 255, { cmd: 'dump', after: at, maxBytes: 2560 }));
    chunks++;
    for (const rec of d.records) bodies.push(rec.body);
    if (d.records.length) at = recordHash(d.records[d.records.length - 1]!.body);
    if (!d.more) return { bodies, chunks };
  }
}

describe('serial protocol: envelopes', () => {
  it('round-trips every request', () => {
    const reqs: SerialRequest[] = [
      { cmd: 'info' },
      { cmd: 'dump', after: ZERO_HASH },
      { cmd: 'dump', after: new Uint8Array(32).fill(1), maxBytes: 3000 },
      { cmd: 'provision', account: 'bob_1', challenge: new Uint8Array(32).fill(9) },
      ...applyCommands.map((cmd) => ({ cmd, statement: utf8(cmd) })),
    ];
    for (const q of reqs) assert.deepEqual(decodeRequest(encodeRequest(q)), q, q.cmd);
  });

  it('round-trips results and refusals, and keeps the card\'s detail in the error', () => {
    const info: ResultOf['info'] = {
      protocol: 1, firmware: 'x', provisioned: false, seq: 0, head: ZERO_HASH, ackedSeq: 0, firstSeq: 1, freeBytes: 0, totalBytes: 0, epoch: 0, revocationVersion: 0, pending: 0,
    };
    assert.deepEqual(decodeResponse('info', encodeResult('info', info)), { ok: true, result: info });
    const dump: ResultOf['dump'] = { records: [{ body: utf8('b') }, { body: utf8('c'), signature: new Uint8Array(64), attachment: utf8('a') }], more: true, seq: 4, head: ZERO_HASH };
    assert.deepEqual(decodeResponse('dump', encodeResult('dump', dump)), { ok: true, result: dump });
    const e = new TallyError(5005, 'head hash at seq 3 differs');
    const back = decodeResponse('applyAck', encodeError(5005, e.message));
    assert.ok(!back.ok && back.error.code === 5005 && !back.error.notice);
    if (!back.ok) assert.equal(replyError(back.error).detail, 'card: head hash at seq 3 differs');
    const n = decodeResponse('info', encodeError(6003, 'crc', true));
    assert.ok(!n.ok && n.error.notice && isNotice(encodeError(6003, 'crc', true)));
  });

  it('refuses unknown commands, unknown keys, and out-of-range arguments with codes', () => {
    assert.throwsCode(() => decodeRequest(encodeCanonical(new Map([[1, 99]]))), 6004);
    assert.throwsCode(() => decodeRequest(encodeCanonical(new Map([[1, 1], [2, 0]]))), 1012);
    assert.throwsCode(() => decodeRequest(encodeCanonical(new Map<number, Uint8Array | number>([[1, 2], [2, ZERO_HASH], [3, 100]]))), 1013);
    assert.throwsCode(() => decodeRequest(encodeCanonical(new Map<number, Uint8Array | number>([[1, 2], [2, new Uint8Array(31)]]))), 1012);
    assert.throwsCode(() => decodeRequest(encodeCanonical(new Map<number, string | number | Uint8Array>([[1, 8], [2, 'no spaces'], [3, new Uint8Array(32)]]))), 1012);
    assert.throwsCode(() => decodeResponse('info', encodeCanonical(new Map<number, number | string>([[1, 4242], [2, 'x']]))), 1013);
  });

  it('keeps the key store to 64 bytes that rebuild the same keys', () => {
    const keys = CardKeys.generate(seeded(5));
    const back = decodeKeyStore(encodeKeyStore(keys));
    assert.bytes(back.cardId, keys.cardId);
    assert.bytes(back.dh.publicKey, keys.dh.publicKey);
    assert.throwsCode(() => decodeKeyStore(new Uint8Array(63)), 9001);
  });
});

describe('serial protocol: a card', () => {
  it('reports a blank card, refuses ledger commands until it has keys', () => {
    const r = rig(2);
    const i = ok(r.call(0, { cmd: 'info' }));
    assert.equal(i.provisioned, false);
    assert.equal(i.cardId, undefined);
    assert.equal(i.firmware, 'tally-test 1.0');
    refused(r.call(1, { cmd: 'dump', after: ZERO_HASH }), 6007, 'dump');
    refused(r.call(2, { cmd: 'applyEpoch', statement: issueEpoch(r.authority, 3).sealed.bytes }), 6007, 'epoch');
  });

  it('provisions: keys made on the card, only public keys leave it, the enrolment verifies', () => {
    const r = rig(3);
    const keys = provisioned(r, 5000);
    const i = ok(r.call(3, { cmd: 'info' }));
    assert.ok(i.provisioned && i.cardId && equalBytes(i.cardId, keys.cardId));
    assert.ok(i.certificate && i.freeBytes > 0 && i.totalBytes === 8 * 4096);
    // No secret byte string went on the wire.
    const secrets = [keys.signer.exportSecret(), keys.dh.exportSecret(), r.keyStore!];
    const wire = toHex(new Uint8Array(r.wire.reduce<number[]>((a, b) => a.concat(Array.from(b)), [])));
    for (const s of secrets) assert.ok(!wire.includes(toHex(s.subarray(0, 12))), 'a secret crossed the serial line');
    // A certified card is not provisioned again; the cert again is "already held".
    refused(r.call(4, { cmd: 'provision', account: 'alice', challenge: new Uint8Array(32).fill(1) }), 6010, 'provision twice');
    assert.equal(ok(r.call(5, { cmd: 'applyCert', statement: i.certificate })).applied, false);
  });

  it('dumps the ledger in chunks, resumable from any record, and refuses unknown hashes', () => {
    const r = rig(4);
    provisioned(r, 1_000_000);
    pay(r, 40);
    const all = dumpAll(r);
    assert.equal(all.bodies.length, 40);
    assert.ok(all.chunks > 1, 'several chunks');
    const c = r.card()!;
    assert.deepEqual(all.bodies.map(toHex), c.ledger.records.map((x) => toHex(x.body)));
    const from17 = dumpAll(r, c.ledger.record(17)!.hash, 100);
    assert.equal(from17.bodies.length, 23);
    assert.bytes(from17.bodies[0]!, c.ledger.record(18)!.body);
    refused(r.call(200, { cmd: 'dump', after: new Uint8Array(32).fill(5) }), 6009, 'unknown hash');
  });

  it('applies an acknowledgement only with the authority\'s signature, then prunes; stale ones change nothing', () => {
    const r = rig(5);
    provisioned(r, 1_000_000);
    pay(r, 60);
    const c = r.card()!;
    const l = c.ledger;
    const ack = issueAck(r.authority, { card: c.cardId, seq: 60, head: l.head, spent: l.spent, received: 0, epoch: 2 });
    // A bridge alters it: any byte of the body, or signs it itself.
    const forged = issueAck(new Signer(seeded(77)(32)), { card: c.cardId, seq: 60, head: l.head, spent: l.spent, received: 0, epoch: 2 });
    const before = toHex(r.flash.data);
    refused(r.call(10, { cmd: 'applyAck', statement: forged.sealed.bytes }), 6008, 'forged ack');
    const altered = Uint8Array.from(ack.sealed.bytes);
    altered[10] = altered[10]! ^ 1;
    const a2 = r.call(11, { cmd: 'applyAck', statement: altered });
    assert.ok(!a2.ok && (a2.error.code === 6008 || a2.error.code < 2000), `altered ack: ${a2.ok ? '' : a2.error.code}`);
    assert.equal(toHex(r.flash.data), before, 'nothing written or erased');
    const res = ok(r.call(12, { cmd: 'applyAck', statement: ack.sealed.bytes }));
    assert.ok(res.applied && res.ackedSeq === 60 && res.seq === 61);
    assert.ok(c.ledger.records.length < 61, 'acknowledged records were pruned');
    assert.equal(ok(r.call(13, { cmd: 'applyAck', statement: ack.sealed.bytes })).applied, false);
    // Dumping after the acknowledged head still works after pruning.
    assert.equal(dumpAll(r, ack.head, 20).bodies.length, 1);
  });

  it('applies loads, revocations and epochs once, refuses forged ones with 6008', () => {
    const r = rig(6);
    const keys = provisioned(r, 100);
    const c = r.card()!;
    const mk = (a: Signer, serial: number, allowance: number) =>
      issueLoad(a, {
        card: c.cardId, serial, amount: allowance - 100, currency: 'EUR', allowance, epoch: 2,
        cert: issueCertificate(a, { cardId: c.cardId, signKey: keys.signer.publicKey, dhKey: keys.dh.publicKey, account: 'alice', allowance, currency: 'EUR', epochFrom: 1, epochTo: 50, serial: serial + 1 }),
      });
    const mallory = new Signer(seeded(66)(32));
    refused(r.call(20, { cmd: 'applyLoad', statement: mk(mallory, 1, 1_000_000).sealed.bytes }), 6008, 'forged load');
    const load = mk(r.authority, 1, 600);
    assert.equal(ok(r.call(21, { cmd: 'applyLoad', statement: load.sealed.bytes })).applied, true);
    assert.equal(ok(r.call(22, { cmd: 'applyLoad', statement: load.sealed.bytes })).applied, false);
    assert.equal(c.ledger.certificate!.allowance, 600);
    refused(r.call(23, { cmd: 'applyRevocations', statement: issueRevocations(mallory, 9, 2, [c.cardId]).sealed.bytes }), 6008, 'forged revocations');
    assert.equal(ok(r.call(24, { cmd: 'applyRevocations', statement: issueRevocations(r.authority, 2, 2, []).sealed.bytes })).applied, true);
    assert.equal(ok(r.call(25, { cmd: 'applyRevocations', statement: issueRevocations(r.authority, 2, 2, []).sealed.bytes })).applied, false);
    refused(r.call(26, { cmd: 'applyEpoch', statement: issueEpoch(mallory, 40).sealed.bytes }), 6008, 'forged epoch');
    assert.equal(ok(r.call(27, { cmd: 'applyEpoch', statement: issueEpoch(r.authority, 4).sealed.bytes })).applied, true);
    assert.equal(ok(r.call(28, { cmd: 'info' })).epoch, 4);
    const garbage = r.call(29, { cmd: 'applyLoad', statement: utf8('not a load') });
    assert.ok(!garbage.ok && garbage.error.code < 2000, 'undecodable statement: 1xxx');
  });

  it('answers a retransmitted request from its cache, never running it twice', () => {
    const r = rig(7);
    provisioned(r, 1000);
    const c = r.card()!;
    const load = issueLoad(r.authority, {
      card: c.cardId, serial: 1, amount: 500, currency: 'EUR', allowance: 1500, epoch: 2,
      cert: issueCertificate(r.authority, { cardId: c.cardId, signKey: c.keys.signer.publicKey, dhKey: c.keys.dh.publicKey, account: 'alice', allowance: 1500, currency: 'EUR', epochFrom: 1, epochTo: 50, serial: 2 }),
    });
    const frame = encodeFrame(42, encodeRequest({ cmd: 'applyLoad', statement: load.sealed.bytes }));
    const first = r.raw(frame);
    const executed = r.serial.stats.executed;
    const writes = c.ledger.stats.writes;
    const again = r.raw(frame);
    assert.equal(r.serial.stats.executed, executed, 'not run again');
    assert.equal(r.serial.stats.cached, 1);
    assert.equal(c.ledger.stats.writes, writes);
    assert.equal(toHex(again[0]!.payload), toHex(first[0]!.payload), 'the same answer');
    const fresh = decodeResponse('applyLoad', r.raw(encodeFrame(43, encodeRequest({ cmd: 'applyLoad', statement: load.sealed.bytes })))[0]!.payload);
    assert.ok(fresh.ok && !fresh.result.applied, 'a new seq runs it: already held');
    // A cached info is never stale: after a change, the same seq and bytes run again.
    const info = encodeFrame(44, encodeRequest({ cmd: 'info' }));
    r.raw(info);
    pay(r, 1);
    const i2 = decodeResponse('info', r.raw(info)[0]!.payload);
    assert.ok(i2.ok && i2.result.seq === c.ledger.seq);
  });

  it('answers corrupted, truncated and garbage frames with coded notices and changes nothing', () => {
    const r = rig(8);
    provisioned(r, 1000);
    const before = toHex(r.flash.data);
    const good = encodeFrame(5, encodeRequest({ cmd: 'info' }));
    const flipped = Uint8Array.from(good);
    flipped[4] = flipped[4]! === 1 ? 2 : 1;
    const codes = (bytes: Uint8Array): number[] =>
      r.raw(bytes).map((f) => {
        const d = decodeResponse('info', f.payload);
        return d.ok ? 0 : d.error.notice ? d.error.code : -d.error.code;
      });
    assert.deepEqual(codes(flipped), [6003]);
    assert.deepEqual(codes(Uint8Array.of(...good.subarray(0, 4), 0)), [6001]);
    assert.deepEqual(codes(Uint8Array.of(1, 2, 3, 4, 5, 6, 0)), [6001]);
    const endless = new Uint8Array(5001).fill(9);
    endless[5000] = 0;
    assert.deepEqual(codes(endless), [6002]);
    // Framed but not a request: 6005; an unknown command: 6004.
    assert.deepEqual(codes(encodeFrame(6, utf8('hello'))), [-6005]);
    assert.deepEqual(codes(encodeFrame(7, encodeCanonical(new Map([[1, 200]])))), [-6004]);
    assert.equal(toHex(r.flash.data), before);
    assert.deepEqual(codes(good), [0], 'and the line still works');
  });
});

describe('serial protocol: fuzz', () => {
  it('decodes 10,000 random and mutated requests to a request or a coded error', () => {
    const rng = fuzzRng(31);
    const seeds = [
      encodeRequest({ cmd: 'info' }),
      encodeRequest({ cmd: 'dump', after: new Uint8Array(32).fill(1), maxBytes: 3000 }),
      encodeRequest({ cmd: 'provision', account: 'acct', challenge: new Uint8Array(32).fill(2) }),
      encodeRequest({ cmd: 'applyAck', statement: new Uint8Array(100).fill(3) }),
    ];
    let decoded = 0;
    for (let i = 0; i < 10000; i++) {
      const input = mutate(rng, seeds[i % seeds.length]!, i);
      try {
        decodeRequest(input);
        decoded++;
      } catch (e) {
        assert.ok(e instanceof TallyError, `not a coded error: ${String(e)}`);
      }
    }
    assert.ok(decoded > 100 && decoded < 9000, `decoded ${decoded}`);
  });

  it('decodes 10,000 random and mutated responses of every command to a result or a coded error', () => {
    const rng = fuzzRng(32);
    const cmds: CommandName[] = ['info', 'dump', 'provision', 'applyAck'];
    const seeds = [
      encodeResult('info', {
        protocol: 1, firmware: 'f', provisioned: true, cardId: new Uint8Array(16), signKey: new Uint8Array(32), dhKey: new Uint8Array(32), certificate: new Uint8Array(200),
        seq: 9, head: ZERO_HASH, ackedSeq: 3, firstSeq: 2, freeBytes: 100, totalBytes: 200, epoch: 1, revocationVersion: 0, pending: 1,
      }),
      encodeResult('dump', { records: [{ body: new Uint8Array(50) }, { body: new Uint8Array(40), signature: new Uint8Array(64) }], more: true, seq: 1, head: ZERO_HASH }),
      encodeResult('provision', { cardId: new Uint8Array(16), signKey: new Uint8Array(32), dhKey: new Uint8Array(32), enrolment: new Uint8Array(200) }),
      encodeResult('applyAck', { applied: true, seq: 1, head: ZERO_HASH, ackedSeq: 1, freeBytes: 4 }),
      encodeError(5005, 'm'),
    ];
    let decoded = 0;
    for (let i = 0; i < 10000; i++) {
      const k = i % seeds.length;
      const input = mutate(rng, seeds[k]!, i);
      try {
        decodeResponse(cmds[k % cmds.length]!, input);
        decoded++;
      } catch (e) {
        assert.ok(e instanceof TallyError, `not a coded error: ${String(e)}`);
      }
    }
    assert.ok(decoded > 50, `decoded ${decoded}`);
  });

  it('feeds 10,000 random, mutated and framed inputs to a card: it never throws and answers only with frames', () => {
    const r = rig(9);
    provisioned(r, 1000);
    pay(r, 3);
    const rng = fuzzRng(33);
    const seeds = [
      encodeRequest({ cmd: 'info' }),
      encodeRequest({ cmd: 'dump', after: ZERO_HASH }),
      encodeRequest({ cmd: 'applyEpoch', statement: issueEpoch(r.authority, 3).sealed.bytes }),
      encodeRequest({ cmd: 'applyAck', statement: new Uint8Array(80).fill(3) }),
    ];
    const before = r.card()!.ledger.seq;
    for (let i = 0; i < 10000; i++) {
      let input: Uint8Array;
      if (i % 4 === 0) input = rng.bytes(1 + rng.below(64));
      else if (i % 4 === 1) input = mutate(rng, encodeFrame(i & 255, seeds[i % seeds.length]!), i);
      else input = encodeFrame(rng.below(256), mutate(rng, seeds[i % seeds.length]!, i));
      r.serial.receive(input);
    }
    // Every byte the card sent decodes as frames carrying responses or notices.
    const dec = new FrameDecoder();
    let frames = 0;
    for (const w of r.wire) {
      for (const ev of dec.push(w)) {
        assert.ok('frame' in ev, 'the card only sends good frames');
        if ('frame' in ev) {
          frames++;
          const v = decodeCanonical(ev.frame.payload, { maxBytes: 4096, maxDepth: 3 });
          assert.ok(v instanceof Map && typeof v.get(1) === 'number', 'a response envelope');
        }
      }
    }
    assert.ok(frames > 1000);
    const c = r.card()!;
    assert.ok(c.ledger.seq >= before && c.ledger.seq <= before + 1, 'at most the one genuine epoch note changed anything');
    c.verifyLedger();
  });
});

function mutate(rng: ReturnType<typeof fuzzRng>, seed: Uint8Array, i: number): Uint8Array {
  switch (i % 5) {
    case 0:
      return rng.bytes(rng.below(80));
    case 1: {
      const c = Uint8Array.from(seed);
      for (let k = 0, n = 1 + rng.below(3); k < n; k++) c[rng.below(c.length)] = rng.below(256);
      return c;
    }
    case 2:
      return seed.subarray(0, rng.below(seed.length));
    case 3: {
      const c = new Uint8Array(seed.length + 1 + rng.below(4));
      c.set(seed);
      c.set(rng.bytes(c.length - seed.length), seed.length);
      return c;
    }
    default: {
      const c = Uint8Array.from(seed);
      c[rng.below(c.length)] = [0x00, 0x17, 0x18, 0x1f, 0x40, 0x5f, 0x7f, 0xa0, 0xbf, 0xf4, 0xf6, 0xff][rng.below(12)]!;
      return c;
    }
  }
}
