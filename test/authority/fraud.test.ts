// Every kind of fraud becomes a stored fraud proof that verifies on its own
// (authority public key only), the card is revoked, the revocation list's
// version goes up, and honest payees keep syncing.
import { strict as assert } from 'node:assert';
import { decodeRevocations, recordHash } from '../../firmware/core/index.js';
import { verifyFraudProof } from '../../host/authority/index.js';
import { hex, unb64, type TestCard } from './helpers/card.js';
import { startAuthority, type Running } from './helpers/authority.js';
import { expectError, world, type World } from './helpers/world.js';

describe('authority: fraud', function () {
  let run: Running;
  let w: World;
  beforeEach(async () => {
    run = await startAuthority();
    w = world(run.client);
  });
  afterEach(() => run.stop());

  /** Fetches the proof, checks it standalone, and checks the card is revoked. */
  async function provenAndRevoked(card: TestCard, kind: string, version = 1): Promise<Record<string, unknown>> {
    const list = await run.client.get('/fraud-proofs');
    const entry = (list.json.fraudProofs as { id: number; card: string; kind: string }[]).find((f) => f.card === card.idHex);
    assert.ok(entry, 'no fraud proof for the card');
    assert.equal(entry.kind, kind);
    const got = await run.client.get(`/fraud-proofs/${entry.id}`);
    const proof = got.json.proof as Record<string, unknown>;
    // Standalone: a JSON round trip and only the authority's public key.
    const proven = verifyFraudProof(JSON.parse(JSON.stringify(proof)), run.authority.publicKey);
    assert.equal(proven.kind, kind);
    assert.equal(hex(proven.card), card.idHex);
    const info = await run.client.get('/authority');
    const revs = decodeRevocations(unb64(info.json.revocations as string));
    assert.equal(revs.version, version);
    assert.ok(revs.revoked.some((id) => hex(id) === card.idHex), 'card missing from the revocation list');
    assert.equal((await run.client.get(`/cards/${card.idHex}`)).json.revoked, true);
    // A revoked card cannot sync or be loaded any more.
    expectError(await w.sync(card), 403, 7013);
    expectError(await run.client.post(`/cards/${card.idHex}/loads`, { amount: 1 }), 403, 7013);
    return proof;
  }

  it('equivocation: a clone pays two payees with the same sequence number', async () => {
    const mallory = await w.card('mallory', 1_000, 600);
    const bob = await w.card('bob');
    const carol = await w.card('carol');
    const seq = mallory.seq + 1;
    const prev = mallory.head;
    const toBob = mallory.forge(bob, 500, seq, prev, 0);
    const toCarol = mallory.forge(carol, 500, seq, prev, 0);
    bob.receive(toBob, 500, mallory);
    carol.receive(toCarol, 500, mallory);
    const rb = await w.sync(bob);
    assert.equal(rb.status, 200);
    assert.equal(rb.json.payments[0].state, 'settled');
    const rc = await w.sync(carol);
    assert.equal(rc.status, 200, 'the honest payee still syncs');
    assert.equal(rc.json.payments[0].state, 'rejected');
    assert.equal(rc.json.payments[0].reason, 'equivocation');
    assert.equal(await w.balance('bob'), 500);
    assert.equal(await w.balance('carol'), 0);
    const proof = await provenAndRevoked(mallory, 'equivocation');
    assert.ok(proof.a && proof.b && !proof.link);
    assert.equal((await w.totals()).conserved, true);
  });

  it('equivocation: the payer uploads a different signed record where one is stored', async () => {
    const mallory = await w.card('mallory', 1_000, 600);
    const bob = await w.card('bob');
    const first = mallory.pay(bob, 100);
    assert.equal((await w.sync(mallory)).status, 200);
    const other = mallory.forge(bob, 5, 2, recordHash(mallory.chain[0]!.body), 0);
    assert.notEqual(hex(other.body), hex(first.body));
    const r = await run.client.post('/sync', { card: mallory.idHex, records: [{ body: Buffer.from(other.body).toString('base64url'), signature: Buffer.from(other.signature!).toString('base64url') }] });
    expectError(r, 409, 7021);
    assert.equal(r.json.fraud.kind, 'equivocation');
    await provenAndRevoked(mallory, 'equivocation');
  });

  it('equivocation pinned by the hash chain: a payment where the chain holds a load', async () => {
    const mallory = await w.card('mallory', 1_000);
    const bob = await w.card('bob');
    // The chain: seq 1 load, seq 2 payment (its prev pins the load). A clone signs a payment at seq 1.
    await mallory.load(run.client, 400);
    mallory.pay(bob, 50);
    assert.equal((await w.sync(mallory)).status, 200);
    const clone = mallory.forge(bob, 60, 1, new Uint8Array(32), 0);
    bob.receive(clone, 60, mallory);
    const r = await w.sync(bob);
    assert.equal(r.status, 200);
    assert.equal(r.json.payments[0].state, 'rejected');
    const proof = await provenAndRevoked(mallory, 'equivocation');
    assert.equal((proof.link as string[]).length, 1);
  });

  it('contradiction: a payment whose spent-before disagrees with its own chain', async () => {
    const mallory = await w.card('mallory', 1_000, 600);
    const bob = await w.card('bob');
    mallory.pay(bob, 100);
    mallory.pay(bob, 100, { spentBefore: 0 }); // claims nothing was spent before
    const r = await w.sync(mallory);
    expectError(r, 409, 7021);
    assert.equal(r.json.fraud.kind, 'contradiction');
    assert.equal(r.json.accepted, 2, 'the records before the contradiction are kept');
    assert.equal(r.json.head.seq, 2);
    assert.equal(await w.balance('bob'), 100);
    const proof = await provenAndRevoked(mallory, 'contradiction');
    assert.ok(proof.first && proof.last && Array.isArray(proof.link));
    assert.equal((await w.totals()).conserved, true);
  });

  it('contradiction between payments brought by payees (the payer never syncs)', async () => {
    const mallory = await w.card('mallory', 1_000, 600);
    const bob = await w.card('bob');
    const p1 = mallory.pay(bob, 400);
    const p2 = mallory.pay(bob, 400, { spentBefore: 0 }); // would spend 800 of 600
    bob.receive(p1, 400, mallory);
    bob.receive(p2, 400, mallory);
    const r = await w.sync(bob);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.payments.map((p: { state: string }) => p.state), ['settled', 'rejected']);
    assert.equal(await w.balance('bob'), 400);
    const proof = await provenAndRevoked(mallory, 'contradiction');
    assert.ok(proof.first && proof.last && proof.link === undefined);
    assert.equal((await w.totals()).conserved, true);
  });

  it('overspend: a payment beyond the allowance of its certificate', async () => {
    const mallory = await w.card('mallory', 1_000, 300);
    const bob = await w.card('bob');
    mallory.pay(bob, 200);
    mallory.pay(bob, 200); // 400 > 300
    const r = await w.sync(mallory);
    expectError(r, 409, 7021);
    assert.equal(r.json.fraud.kind, 'overspend');
    assert.equal(await w.balance('bob'), 200);
    await provenAndRevoked(mallory, 'overspend');
  });

  it('overspend: a payment in another currency than its certificate', async () => {
    const mallory = await w.card('mallory', 1_000, 300);
    const bob = await w.card('bob');
    const p = mallory.pay(bob, 10, { currency: 'USD' });
    const receipt = bob.append({ kind: 'receipt', card: bob.id, seq: 1, prev: new Uint8Array(32), payer: mallory.id, amount: 10, currency: 'USD', paymentHash: recordHash(p.body), epoch: 1 });
    receipt.attachment = (await import('../../firmware/core/index.js')).encodeSealedRecord(p);
    const r = await w.sync(bob);
    assert.equal(r.status, 200);
    assert.equal(r.json.payments[0].state, 'rejected');
    await provenAndRevoked(mallory, 'overspend');
  });

  it('two cheaters: the revocation list version counts every revocation', async () => {
    const m1 = await w.card('m1', 1_000, 100);
    const m2 = await w.card('m2', 1_000, 100);
    const bob = await w.card('bob');
    m1.pay(bob, 200);
    m2.pay(bob, 200);
    expectError(await w.sync(m1), 409, 7021);
    expectError(await w.sync(m2), 409, 7021);
    const revs = decodeRevocations(unb64((await run.client.get('/authority')).json.revocations as string));
    assert.equal(revs.version, 2);
    assert.equal(revs.revoked.length, 2);
  });

  it('a fraud proof that is altered, or checked against another authority, does not verify', async () => {
    const mallory = await w.card('mallory', 1_000, 300);
    const bob = await w.card('bob');
    mallory.pay(bob, 400);
    await w.sync(mallory);
    const proof = (await run.client.get('/fraud-proofs/1')).json.proof as Record<string, string>;
    verifyFraudProof(proof, run.authority.publicKey);
    const code = (fn: () => unknown): number => {
      try {
        fn();
      } catch (e) {
        return (e as { code: number }).code;
      }
      return 0;
    };
    assert.equal(code(() => verifyFraudProof(proof, new Uint8Array(32).fill(7))), 7025, 'another authority');
    assert.equal(code(() => verifyFraudProof({ ...proof, kind: 'equivocation' }, run.authority.publicKey)), 7025);
    const sealed = Buffer.from(proof.payment!, 'base64url');
    sealed[sealed.length - 1]! ^= 1;
    assert.equal(code(() => verifyFraudProof({ ...proof, payment: sealed.toString('base64url') }, run.authority.publicKey)), 2001);
    assert.equal(code(() => verifyFraudProof({ ...proof, format: 'x' }, run.authority.publicKey)), 7025);
    assert.equal(code(() => verifyFraudProof('nonsense', run.authority.publicKey)), 7025);
  });
});
