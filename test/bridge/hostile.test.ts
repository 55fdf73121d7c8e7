// What an untrusted line or bridge can do to a card: damaged, truncated and
// garbage frames (coded notices, nothing changes), and statements altered or
// forged on the way (the card refuses them before writing or pruning).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { SerialPort } from 'serialport';
import {
  FrameDecoder,
  Signer,
  decodeAck,
  decodeLoad,
  decodeResponse,
  encodeCanonical,
  encodeFrame,
  encodeRequest,
  fromHex,
  isNotice,
  issueAck,
  issueCertificate,
  issueLoad,
  recordHash,
  utf8,
  ZERO_HASH,
  TallyError,
  type DumpRecord,
} from '../../firmware/core/index.js';
import { provisionCard, syncCard, type CardClient } from '../../host/bridge/index.js';
import { sleep } from './helpers/procs.js';
import { World, fillLedger, type WorldCard } from './helpers/world.js';

/** The raw line: write bytes, collect every frame the card sends back. */
async function rawLine(path: string): Promise<{ send(b: Uint8Array, waitMs?: number): Promise<{ seq: number; payload: Uint8Array }[]>; close(): Promise<void> }> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
  const dec = new FrameDecoder();
  let got: { seq: number; payload: Uint8Array }[] = [];
  port.on('data', (b: Buffer) => {
    for (const ev of dec.push(new Uint8Array(b))) if ('frame' in ev) got.push({ seq: ev.frame.seq, payload: ev.frame.payload.slice() });
  });
  return {
    async send(b, waitMs = 150) {
      got = [];
      port.write(Buffer.from(b));
      await sleep(waitMs);
      return got;
    },
    close: () => new Promise<void>((res) => port.close(() => res())),
  };
}

const codeOf = (payload: Uint8Array): { code: number; notice: boolean } => {
  const d = decodeResponse('info', payload);
  return d.ok ? { code: 0, notice: false } : { code: d.error.code, notice: d.error.notice };
};

async function expectRefusal(p: Promise<unknown>, codes: number[], what: string): Promise<number> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof TallyError, `${what}: ${String(e)}`);
    assert.ok(codes.includes(e.code) || (codes.includes(1000) && e.code < 2000), `${what}: got ${e.message}`);
    return e.code;
  }
  assert.fail(`${what}: the card took it`);
}

async function dumpAll(card: CardClient): Promise<DumpRecord[]> {
  const out: DumpRecord[] = [];
  let after: Uint8Array = ZERO_HASH;
  for (;;) {
    const d = await card.dump(after);
    out.push(...d.records);
    if (d.records.length) after = recordHash(d.records[d.records.length - 1]!.body);
    if (!d.more) return out;
  }
}

describe('bridge: hostile lines and bridges', function () {
  this.timeout(60_000);
  const w = new World();
  let alice: WorldCard;
  let aliceId = '';
  let bobId = '';
  const image = (): string => readFileSync(alice.flash).toString('hex') + readFileSync(alice.keys).toString('hex');

  before(async () => {
    await w.start();
    await w.authority.post('/accounts', { id: 'alice', deposit: 100_000 });
    await w.authority.post('/accounts', { id: 'bob' });
    let bob: WorldCard;
    [alice, bob] = await Promise.all([w.card('alice'), w.card('bob')]);
    for (const [c, account] of [[alice, 'alice'], [bob, 'bob']] as const) {
      const card = await w.open(c);
      const p = await provisionCard(card, w.client, account);
      if (account === 'alice') aliceId = p.card;
      else bobId = p.card;
      await card.link.close();
    }
    await w.authority.post(`/cards/${aliceId}/loads`, { amount: 10_000 });
    const a = await w.open(alice);
    await syncCard(a, w.client);
    await a.link.close();
    await w.inHand(alice, (card) => fillLedger(card, fromHex(bobId), 30, 10));
  });
  after(() => w.stop());

  it('answers corrupted, truncated and garbage frames with coded notices and changes nothing', async () => {
    const before = image();
    const line = await rawLine(alice.pty.b);
    try {
      const good = encodeFrame(9, encodeRequest({ cmd: 'info' }));
      const flipped = Uint8Array.from(good);
      flipped[6] = flipped[6] === 0x41 ? 0x42 : 0x41;
      const cases: [string, Uint8Array, number[]][] = [
        ['a flipped byte', flipped, [6003, 6001]],
        ['a truncated frame', Uint8Array.of(...good.subarray(0, good.length - 4), 0), [6001]],
        ['garbage', Uint8Array.of(0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0), [6001]],
        ['an endless frame', Uint8Array.of(...new Uint8Array(6000).fill(0x55), 0), [6002]],
      ];
      for (const [what, bytes, codes] of cases) {
        const frames = await line.send(bytes, what === 'an endless frame' ? 300 : 150);
        assert.equal(frames.length, 1, `${what}: one notice`);
        const c = codeOf(frames[0]!.payload);
        assert.ok(c.notice && codes.includes(c.code), `${what}: ${c.code}`);
      }
      // Well framed but not a request, and an unknown command: answered under their seq.
      const notCbor = await line.send(encodeFrame(10, utf8('garbage')));
      assert.deepEqual([notCbor[0]!.seq, codeOf(notCbor[0]!.payload)], [10, { code: 6005, notice: false }]);
      const unknown = await line.send(encodeFrame(11, encodeCanonical(new Map([[1, 77]]))));
      assert.deepEqual([unknown[0]!.seq, codeOf(unknown[0]!.payload)], [11, { code: 6004, notice: false }]);
      const fine = await line.send(good);
      assert.equal(codeOf(fine[0]!.payload).code, 0, 'the line still works');
    } finally {
      await line.close();
    }
    assert.equal(image(), before, 'flash and keys untouched');
  });

  it('a bridge on a noisy line retransmits and the card runs each command once', async () => {
    const card = await w.open(alice);
    const i1 = await card.info();
    // Half a frame of noise stuck in front of the next request: the card drops it (notice), the bridge resends.
    card.link.write(Uint8Array.of(0x05, 0x11, 0x22, 0x33));
    const i2 = await card.info();
    assert.equal(i2.seq, i1.seq);
    assert.ok(card.link.retransmissions >= 1);
    await card.link.close();
  });

  it('refuses an altered or forged acknowledgement, and takes the genuine one', async () => {
    const card = await w.open(alice);
    const records = await dumpAll(card);
    const reply = await w.client.sync(aliceId, records);
    const ack = decodeAck(reply.ack);
    assert.equal(ack.seq, (await card.info()).seq);
    const before = image();
    // A bridge flips bits of the signed body: the seq, the spent total, the head.
    for (const at of [3, 12, 30, reply.ack.length - 70]) {
      const altered = Uint8Array.from(reply.ack);
      altered[at] = altered[at]! ^ 0x01;
      await expectRefusal(card.apply('applyAck', altered), [6008, 1000], `ack altered at byte ${at}`);
    }
    // Or makes its own: acknowledges everything, with another key.
    const mallory = new Signer(new Uint8Array(32).fill(0x66));
    const forged = issueAck(mallory, { card: ack.card, seq: ack.seq, head: ack.head, spent: 0, received: 1_000_000, epoch: ack.epoch });
    assert.equal(await expectRefusal(card.apply('applyAck', forged.sealed.bytes), [6008], 'forged ack'), 6008);
    // Or passes another card's genuine acknowledgement.
    const bobReply = await w.client.sync(bobId, []);
    await expectRefusal(card.apply('applyAck', bobReply.ack), [5005, 5007], "another card's ack");
    assert.equal(image(), before, 'nothing written or pruned');
    const ok = await card.apply('applyAck', reply.ack);
    assert.ok(ok.applied && ok.ackedSeq === ack.seq);
    assert.notEqual(image(), before);
    await card.link.close();
  });

  it('refuses an altered or forged load, and takes the genuine one once', async () => {
    await w.authority.post(`/cards/${aliceId}/loads`, { amount: 2500 });
    const card = await w.open(alice);
    const reply = await w.client.sync(aliceId, []);
    assert.equal(reply.loads.length, 1);
    const genuine = reply.loads[0]!;
    const load = decodeLoad(genuine);
    const before = image();
    for (const at of [5, 20, genuine.length - 100]) {
      const altered = Uint8Array.from(genuine);
      altered[at] = altered[at]! ^ 0x04;
      await expectRefusal(card.apply('applyLoad', altered), [6008, 1000, 2006, 5006], `load altered at byte ${at}`);
    }
    const mallory = new Signer(new Uint8Array(32).fill(0x77));
    const c = load.cert;
    const cert = issueCertificate(mallory, { cardId: c.cardId, signKey: c.signKey, dhKey: c.dhKey, account: c.account, allowance: 1_000_000, currency: c.currency, epochFrom: c.epochFrom, epochTo: c.epochTo, serial: c.serial });
    const forged = issueLoad(mallory, { card: load.card, serial: load.serial, amount: 1_000_000, currency: load.currency, allowance: 1_000_000, epoch: load.epoch, cert });
    await expectRefusal(card.apply('applyLoad', forged.sealed.bytes), [6008, 1000], 'forged load');
    assert.equal(image(), before, 'nothing written');
    assert.equal((await card.apply('applyLoad', genuine)).applied, true);
    assert.equal((await card.apply('applyLoad', genuine)).applied, false, 'a second time changes nothing');
    assert.equal((await card.info()).certificate !== undefined, true);
    await card.link.close();
  });
});
