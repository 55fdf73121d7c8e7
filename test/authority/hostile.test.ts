// Malformed and hostile requests: each is answered with a 4xx and a numbered
// code, and changes nothing (the database digest is the same before and
// after). The authority's secret never appears in any answer.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { encodeCanonical, encodeRecordBody } from '../../firmware/core/index.js';
import { b64, toJson, unb64, type TestCard } from './helpers/card.js';
import { startAuthority, type Running } from './helpers/authority.js';
import type { Answer } from './helpers/client.js';
import { dbDigest } from './helpers/digest.js';
import { expectError, world, type World } from './helpers/world.js';

describe('authority: hostile requests', function () {
  let run: Running;
  let w: World;
  let alice: TestCard;
  let bob: TestCard;
  const answers: Answer[] = [];

  before(async () => {
    run = await startAuthority();
    w = world(run.client);
    alice = await w.card('alice', 10_000, 5_000);
    bob = await w.card('bob');
    const p = alice.pay(bob, 100);
    assert.equal((await w.sync(alice)).status, 200);
    bob.receive(p, 100, alice);
    assert.equal((await w.sync(bob)).status, 200);
    await run.authority.seal();
  });
  after(async () => {
    // No answer, good or bad, ever carried the authority's secret.
    const key = JSON.parse(readFileSync(`${run.dbPath}.key`, 'utf8')) as { seed: string };
    const seed = Buffer.from(key.seed, 'hex');
    const text = JSON.stringify(answers);
    for (const form of [key.seed, seed.toString('base64url'), seed.toString('base64')]) assert.ok(!text.includes(form), 'the secret leaked into an answer');
    await run.stop();
  });

  /** Sends, expects the coded refusal, and checks the database did not change. */
  async function refused(send: () => Promise<Answer>, status: number, code: number): Promise<Answer> {
    const before = dbDigest(run.dbPath);
    const a = await send();
    answers.push(a);
    expectError(a, status, code);
    assert.equal(dbDigest(run.dbPath), before, `E${code} changed the database`);
    return a;
  }
  const raw = (method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> =>
    run.client.send(method, path, body, headers);

  it('bad JSON, wrong content type, non-objects', async () => {
    await refused(() => raw('POST', '/sync', '{"card": '), 400, 7001);
    await refused(() => raw('POST', '/sync', '{}', { 'content-type': 'text/plain' }), 400, 7001);
    await refused(() => raw('POST', '/accounts', '[1,2]'), 400, 7002);
    await refused(() => raw('POST', '/accounts', 'null'), 400, 7002);
    await refused(() => raw('POST', '/accounts', '"x"'), 400, 7002);
  });

  it('wrong types, unknown fields, out-of-range numbers', async () => {
    await refused(() => run.client.post('/accounts', { id: 'carol', deposit: '100' }), 400, 7002);
    await refused(() => run.client.post('/accounts', { id: 'carol', deposit: 1.5 }), 400, 7002);
    await refused(() => run.client.post('/accounts', { id: 'carol', deposit: -1 }), 400, 7002);
    await refused(() => run.client.post('/accounts', { id: 'carol', deposit: 2 ** 53 }), 400, 7002);
    await refused(() => run.client.post('/accounts', { id: 'no spaces' }), 400, 7002);
    await refused(() => run.client.post('/accounts', { id: 'carol', admin: true }), 400, 7002);
    await refused(() => run.client.post('/accounts', { id: 'carol', currency: 'USD' }), 409, 7012);
    await refused(() => run.client.post('/accounts', { id: 'alice' }), 409, 7008);
    await refused(() => run.client.post('/accounts/alice/deposits', { amount: 0 }), 400, 7002);
    await refused(() => run.client.post(`/cards/${alice.idHex}/loads`, { amount: 1e9 }), 409, 7011);
    await refused(() => run.client.post('/sync', { card: alice.idHex, records: 'all' }), 400, 7002);
    await refused(() => run.client.post('/sync', { card: alice.idHex.toUpperCase(), records: [] }), 400, 7002);
    await refused(() => run.client.post('/sync', { card: alice.idHex, records: [{ body: 42 }] }), 400, 7002);
    await refused(() => run.client.post('/sync', { card: alice.idHex, records: [{ body: 'a+b/' }] }), 400, 7002);
    await refused(() => run.client.post('/sync', { card: alice.idHex, records: [], status: [{ payer: alice.idHex, seq: 0 }] }), 400, 7002);
    await refused(() => run.client.get('/blocks?limit=abc'), 400, 7002);
    await refused(() => run.client.get('/blocks?nonsense=1'), 400, 7002);
  });

  it('huge bodies and too many records', async () => {
    const huge = JSON.stringify({ card: alice.idHex, records: [], pad: 'x'.repeat(5 * 1024 * 1024) });
    await refused(() => raw('POST', '/sync', huge), 413, 7003);
    await refused(() => raw('POST', '/accounts', JSON.stringify({ id: 'x'.repeat(20_000) })), 413, 7003);
    const many = Array.from({ length: 20_001 }, () => ({ body: 'AA' }));
    await refused(() => run.client.post('/sync', { card: alice.idHex, records: many }), 413, 7022);
    // A body whose declared length is larger than the drain cap: refused without reading it.
    const a = await new Promise<Answer>((resolve, reject) => {
      const req = request(`${run.server.url}/sync`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(1 << 30) } }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> }));
      });
      req.on('error', reject);
      req.write('{"card":');
    }).catch(() => ({ status: 413, json: { error: { code: 7003, message: 'E7003 (connection closed)' } } }) as Answer);
    assert.equal(a.status, 413);
    assert.equal((await run.client.get('/health')).status, 200, 'the server is still up');
  });

  it('records that do not decode: non-canonical CBOR, wrong kinds, truncated', async () => {
    const good = alice.pay(bob, 1);
    alice.chain.pop();
    alice.spent -= 1;
    const body = Buffer.from(good.body);
    const truncated = body.subarray(0, body.length - 3);
    const rec = (b: Uint8Array) => ({ body: b64(b), signature: b64(good.signature!) });
    await refused(() => w.syncRecords(alice, [rec(truncated)]), 400, 1002);
    await refused(() => w.syncRecords(alice, [rec(Buffer.concat([body, Buffer.from([0])]))]), 400, 1003);
    const nonShortest = Buffer.from(body);
    // The map's first key/value (kind = 1) re-encoded with a one-byte argument: not shortest.
    const bad = Buffer.concat([nonShortest.subarray(0, 2), Buffer.from([0x18, 0x01]), nonShortest.subarray(3)]);
    await refused(() => w.syncRecords(alice, [rec(bad)]), 400, 1004);
    await refused(() => w.syncRecords(alice, [rec(encodeCanonical(new Map([[1, 9]])))]), 400, 1012);
    await refused(() => w.syncRecords(alice, [{ body: b64(good.body) }]), 400, 7002);
  });

  it('forged signatures: on the card’s own record and on the attached payment', async () => {
    const p = alice.pay(bob, 5);
    const forged = { ...toJson(p), signature: b64(new Uint8Array(64).fill(3)) };
    await refused(() => w.syncRecords(alice, [forged]), 400, 2001);
    alice.chain.pop();
    alice.spent -= 5;
    // A payment signed by bob pretending to be alice's.
    const body = encodeRecordBody({ kind: 'payment', card: alice.id, seq: alice.seq + 1, prev: alice.head, payee: bob.id, amount: 7, currency: 'EUR', spentBefore: alice.spent, nonce: new Uint8Array(16), handshakeHash: new Uint8Array(32), epoch: 1, certSerial: alice.certSerial });
    const fake = { body, signature: bob.keys.signer.sign('payment', body) };
    const r = bob.receive(fake, 7, alice);
    await refused(() => w.syncRecords(bob, [toJson(r)]).then((a) => a), 400, 2001);
    bob.chain.pop();
    bob.received -= 7;
  });

  it('unknown cards, chains that do not continue, receipts that do not match', async () => {
    await refused(() => run.client.post('/sync', { card: '00'.repeat(16), records: [] }), 404, 7007);
    await refused(() => run.client.get(`/cards/${'ab'.repeat(16)}`), 404, 7007);
    await refused(() => run.client.post(`/cards/${'ab'.repeat(16)}/loads`, { amount: 1 }), 404, 7007);
    // A gap: records starting beyond the stored head.
    alice.pay(bob, 1);
    alice.pay(bob, 1);
    await refused(() => w.sync(alice, alice.seq), 409, 7014);
    // Records of another card.
    await refused(() => run.client.post('/sync', { card: bob.idHex, records: alice.records(alice.seq - 1) }), 400, 7016);
    alice.chain.splice(-2);
    alice.spent -= 2;
    // A receipt whose attachment is another payment.
    const p1 = alice.pay(bob, 3);
    const p2 = alice.pay(bob, 4);
    const r = bob.receive(p1, 3, alice);
    const bad = { ...toJson(r), attachment: toJson(p2).body };
    await refused(() => w.syncRecords(bob, [bad]), 400, 1012);
    bob.chain.pop();
    bob.received -= 3;
    alice.chain.splice(-2);
    alice.spent -= 7;
  });

  it('replayed acknowledgements and loads', async () => {
    const first = await w.sync(alice, 1, 0);
    const ack1 = unb64(first.json.ack as string);
    alice.recordAck(ack1);
    const ok = await w.sync(alice);
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    // The same acknowledgement recorded a second time.
    alice.recordAck(ack1);
    await refused(() => w.sync(alice, alice.seq), 409, 7018);
    alice.chain.pop();
    // Bob's acknowledgement recorded in alice's chain.
    const bobAck = unb64((await w.sync(bob, 1, 0)).json.ack as string);
    alice.recordAck(bobAck);
    await refused(() => w.sync(alice, alice.seq), 400, 7017);
    alice.chain.pop();
    // A forged acknowledgement (signed by a card, not the authority).
    const forged = Buffer.from(ack1);
    forged[forged.length - 1]! ^= 0xff;
    alice.recordAck(forged);
    await refused(() => w.sync(alice, alice.seq), 400, 2001);
    alice.chain.pop();
    // The load already recorded, recorded again.
    const loadRec = alice.chain[0]!;
    const evidence = (await import('../../firmware/core/index.js')).decodeRecordBody(loadRec.body) as { evidence: Uint8Array };
    alice.recordLoad(evidence.evidence);
    await refused(() => w.sync(alice, alice.seq), 409, 7018);
    alice.chain.pop();
  });

  it('unknown routes and methods, bad ids in paths', async () => {
    await refused(() => run.client.get('/nowhere'), 404, 7004);
    await refused(() => raw('DELETE', '/accounts/alice'), 405, 7005);
    await refused(() => run.client.get('/sync'), 405, 7005);
    await refused(() => run.client.get('/cards/XYZ'), 400, 7002);
    await refused(() => run.client.get('/fraud-proofs/99'), 404, 7004);
    await refused(() => run.client.get('/accounts/nobody'), 404, 7006);
    await refused(() => run.client.post('/cards', { enrolment: b64(new Uint8Array(10)) }), 400, 1003);
    await refused(() => run.client.post('/cards', { enrolment: 'AAAA', extra: 1 }), 400, 7002);
  });

  it('a stored record replaced by a different unsigned one is a conflict, not fraud', async () => {
    const l = await run.client.post(`/cards/${alice.idHex}/loads`, { amount: 1, reference: 'conflict-test' });
    assert.equal(l.status, 201);
    const other = encodeRecordBody({ kind: 'load', card: alice.id, seq: 1, prev: new Uint8Array(32), evidence: unb64(l.json.load as string) });
    assert.notEqual(b64(other), b64(alice.chain[0]!.body));
    await refused(() => w.syncRecords(alice, [{ body: b64(other) }]), 409, 7015);
  });
});
