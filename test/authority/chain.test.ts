// The Proof-of-Authority chain: blocks by count and on request, exported by
// `tally authority export --json`, re-verified from scratch by `tally
// authority verify`, which stops at the first tampered byte with a code.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeSealedRecord } from '../../firmware/core/index.js';
import { verifyChain } from '../../host/authority/index.js';
import { encodeEvent } from '../../host/authority/chain/events.js';
import { merkleRoot } from '../../host/authority/chain/merkle.js';
import { settleEvent } from '../../host/authority/sync/settle.js';
import { TestCard } from './helpers/card.js';
import { startAuthority, type Running } from './helpers/authority.js';
import { tally } from './helpers/cli.js';
import { world } from './helpers/world.js';

const sha = (...b: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const x of b) h.update(x);
  return h.digest();
};

describe('authority: the PoA chain', function () {
  this.timeout(60_000);
  let run: Running;
  let exported: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  let file: string;

  before(async () => {
    run = await startAuthority({ blockEvents: 5 });
    const w = world(run.client);
    const alice = await w.card('alice', 10_000, 5_000);
    const bob = await w.card('bob');
    for (let i = 0; i < 12; i++) {
      const p = alice.pay(bob, 10 + i);
      bob.receive(p, 10 + i, alice);
    }
    assert.equal((await w.sync(alice)).status, 200);
    assert.equal((await w.sync(bob)).status, 200);
    assert.equal((await run.client.post('/epoch', {})).json.epoch, 2);
    const sealed = await run.client.post('/blocks/seal', {});
    assert.equal(sealed.status, 200);
    const h = await run.client.get('/health');
    assert.ok(h.json.height >= 3, 'blocks were sealed by count');
    assert.equal(h.json.pendingEvents, 0);
    await run.stop(true);
    const out = tally(['authority', 'export', '--json', '--db', run.dbPath]);
    assert.equal(out.status, 0, out.stderr);
    exported = JSON.parse(out.stdout);
    file = join(run.dir, 'chain.json');
    writeFileSync(file, out.stdout);
  });

  it('exports every event in signed, linked blocks, and the CLI verifies it', () => {
    assert.equal(exported.format, 'tally-chain/1');
    assert.equal(exported.authorities.length, 1);
    const types = exported.blocks.flatMap((b: { events: { event: { type: string } }[] }) => b.events.map((e) => e.event.type));
    assert.deepEqual(
      [...new Set(types)].sort(),
      ['account', 'deposit', 'enrol', 'epoch', 'load', 'settle'],
    );
    assert.equal(types.filter((t: string) => t === 'settle').length, 12);
    const r = tally(['authority', 'verify', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^ok: \d+ blocks, \d+ events, 12 settlements/);
    const pinned = tally(['authority', 'verify', file, '--key', exported.authorities[0].publicKey]);
    assert.equal(pinned.status, 0, pinned.stderr);
  });

  function tampered(edit: (c: any) => void): { status: number | null; stderr: string } { // eslint-disable-line @typescript-eslint/no-explicit-any
    const c = JSON.parse(JSON.stringify(exported));
    edit(c);
    const f = join(run.dir, 'tampered.json');
    writeFileSync(f, JSON.stringify(c));
    return tally(['authority', 'verify', f]);
  }

  it('refuses a tampered chain at the first failure, with a code', () => {
    const cases: [string, number, (c: any) => void][] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
      ['event bytes', 7027, (c) => {
        const e = c.blocks[1].events[0];
        const b = Buffer.from(e.cbor, 'base64url');
        b[b.length - 1]! ^= 1;
        e.cbor = b.toString('base64url');
      }],
      ['readable form', 7031, (c) => (c.blocks[1].events[0].event.amount = 999_999)],
      ['an event removed (hash recomputed)', 7026, (c) => c.blocks[1].events.pop()],
      ['merkle root', 7028, (c) => {
        const ev = c.blocks[1].events;
        [ev[0], ev[1]] = [ev[1], ev[0]];
      }],
      ['block order', 7029, (c) => ([c.blocks[1], c.blocks[2]] = [c.blocks[2], c.blocks[1]])],
      ['a block dropped', 7029, (c) => c.blocks.splice(1, 1)],
      ['header hash', 7027, (c) => (c.blocks[0].hash = '00'.repeat(32))],
      ['signature', 7030, (c) => {
        const s = Buffer.from(c.blocks[2].signatures[0].signature, 'base64url');
        s[0]! ^= 1;
        c.blocks[2].signatures[0].signature = s.toString('base64url');
      }],
      ['no signature', 7030, (c) => (c.blocks[0].signatures = [])],
      ['quorum', 7026, (c) => (c.quorum = 2)],
      ['format', 7026, (c) => (c.format = 'other')],
    ];
    for (const [what, code, edit] of cases) {
      const r = tampered(edit);
      assert.equal(r.status, 1, `${what}: exit ${r.status} ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`E${code} `), `${what}: ${r.stderr}`);
    }
    const other = tally(['authority', 'verify', file, '--key', 'ab'.repeat(32)]);
    assert.equal(other.status, 1);
    assert.match(other.stderr, /E7030 /);
  });

  it('audits the events: a payment settled twice is refused even with valid block signatures', () => {
    // Rebuild a chain whose second block repeats a settle event, re-signing nothing: the hashes
    // are recomputed honestly, so only the audit of the events can catch it.
    const c = JSON.parse(JSON.stringify(exported));
    const settle = c.blocks.flatMap((b: { events: unknown[] }) => b.events).find((e: { event: { type: string } }) => e.event.type === 'settle');
    c.blocks[c.blocks.length - 1].events.push(settle);
    let code = 0;
    try {
      verifyChain(c);
    } catch (e) {
      code = (e as { code: number }).code;
    }
    assert.ok(code === 7026 || code === 7028 || code === 7031, `code ${code}`);
  });

  it('tally authority status reads the database without the key', () => {
    const r = tally(['authority', 'status', '--db', run.dbPath]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /settlements: 12/);
    assert.match(r.stdout, /balances \+ card headroom = deposits: .*yes/);
    const key = (JSON.parse(readFileSync(`${run.dbPath}.key`, 'utf8')) as { seed: string }).seed;
    assert.ok(!r.stdout.includes(key));
    const missing = tally(['authority', 'status', '--db', join(run.dir, 'none.db')]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /E7024 /);
  });

  after(() => run.stop());
});


describe('authority: chain encodings', () => {
  it('the Merkle root follows RFC 6962 (split at the largest power of two)', () => {
    const leaves = Array.from({ length: 7 }, (_, i) => sha(Buffer.from([i])));
    const L = (x: Uint8Array) => sha(Buffer.from([0]), x);
    const N = (a: Uint8Array, b: Uint8Array) => sha(Buffer.from([1]), a, b);
    const [a, b, c, d, e, f, g] = leaves.map(L) as Buffer[];
    const expected = N(N(N(a!, b!), N(c!, d!)), N(N(e!, f!), g!));
    assert.equal(Buffer.from(merkleRoot(leaves)).toString('hex'), expected.toString('hex'));
    assert.equal(Buffer.from(merkleRoot([leaves[0]!])).toString('hex'), a!.toString('hex'));
    assert.equal(Buffer.from(merkleRoot([])).toString('hex'), sha().toString('hex'));
  });

  it('the hand-written settle event is byte-identical to the generic encoder', () => {
    const alice = new TestCard();
    const bob = new TestCard();
    for (const account of ['a', 'acct_23_chars_xxxxxxxxx', 'acct-with-24-chars-xxxxx', 'x'.repeat(32)]) {
      for (let i = 0; i < 3; i++) {
        const p = alice.pay(bob, 1 + i * 1000);
        const fast = settleEvent(account, p);
        const slow = encodeEvent({ type: 'settle', account, payment: encodeSealedRecord(p) });
        assert.equal(Buffer.from(fast).toString('hex'), Buffer.from(slow).toString('hex'));
      }
    }
  });
});
