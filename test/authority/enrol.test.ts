// Provisioning: a card proves both of its keys (core enrol.ts), the authority
// certifies them; challenges are single-use; accounts and cards are unique.
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import {
  CardKeys,
  decodeCertificate,
  decodeEnrolment,
  enrolChallenge,
  requestEnrolment,
  verifyCertificate,
  trustedAuthorities,
  verifyEnrolment,
  type Random,
} from '../../firmware/core/index.js';
import { b64, unb64 } from './helpers/card.js';
import { startAuthority, type Running } from './helpers/authority.js';
import { dbDigest } from './helpers/digest.js';
import { expectError } from './helpers/world.js';

const random: Random = (n) => new Uint8Array(randomBytes(n));
const code = (fn: () => unknown): number => {
  try {
    fn();
  } catch (e) {
    return (e as { code: number }).code;
  }
  return 0;
};

describe('core: enrolment request', () => {
  it('proves the signing key and the static key, and nothing else verifies', () => {
    const keys = CardKeys.generate(random);
    const ch = enrolChallenge(random);
    const req = requestEnrolment(keys, 'alice', ch.challenge);
    const back = decodeEnrolment(req.sealed.bytes);
    assert.equal(b64(back.cardId), b64(keys.cardId));
    assert.equal(back.account, 'alice');
    verifyEnrolment(back, ch.secret);
    assert.equal(code(() => verifyEnrolment(back, enrolChallenge(random).secret)), 2001, 'another challenge');
    // A request naming a static key whose secret the card does not hold: the proof fails.
    const other = CardKeys.generate(random);
    const sealed = decodeEnrolment(requestEnrolment(keys, 'alice', ch.challenge).sealed.bytes);
    assert.equal(code(() => verifyEnrolment({ ...sealed, dhKey: other.dh.publicKey }, ch.secret)), 2001);
    const tampered = Buffer.from(req.sealed.bytes);
    tampered[tampered.length - 1]! ^= 1;
    assert.equal(code(() => verifyEnrolment(decodeEnrolment(tampered), ch.secret)), 2001);
    assert.equal(code(() => decodeEnrolment(new Uint8Array(3))), 1003);
    assert.equal(code(() => requestEnrolment(keys, 'bad account', ch.challenge)), 9001);
    assert.equal(code(() => requestEnrolment(keys, 'alice', new Uint8Array(32))), 2007, 'a low-order challenge');
  });
});

describe('authority: provisioning', () => {
  let run: Running;
  beforeEach(async () => {
    run = await startAuthority();
    assert.equal((await run.client.post('/accounts', { id: 'alice', deposit: 500 })).status, 201);
  });
  afterEach(() => run.stop());

  async function enrol(keys: CardKeys, account = 'alice', challenge?: string) {
    const ch = challenge ?? ((await run.client.post('/enrol/challenge', {})).json.challenge as string);
    const req = requestEnrolment(keys, account, unb64(ch));
    return { ch, answer: await run.client.post('/cards', { enrolment: b64(req.sealed.bytes) }) };
  }

  it('issues certificate serial 1 with allowance 0 for the epoch range', async () => {
    const keys = CardKeys.generate(random);
    const { answer } = await enrol(keys);
    assert.equal(answer.status, 201, JSON.stringify(answer.json));
    const cert = decodeCertificate(unb64(answer.json.certificate));
    verifyCertificate(cert, trustedAuthorities([run.authority.publicKey]), { epoch: 1, cardId: keys.cardId });
    assert.deepEqual([cert.serial, cert.allowance, cert.epochFrom, cert.epochTo, cert.account, cert.currency], [1, 0, 1, 31, 'alice', 'EUR']);
    const info = await run.client.get('/authority');
    assert.equal(info.json.publicKey, Buffer.from(run.authority.publicKey).toString('hex'));
  });

  it('challenges are single-use and enrolling again returns the same card', async () => {
    const keys = CardKeys.generate(random);
    const first = await enrol(keys);
    assert.equal(first.answer.status, 201);
    const before = dbDigest(run.dbPath);
    expectError((await enrol(keys, 'alice', first.ch)).answer, 400, 7010);
    expectError((await enrol(CardKeys.generate(random), 'alice', b64(enrolChallenge(random).challenge))).answer, 400, 7010);
    assert.equal(dbDigest(run.dbPath), before);
    const again = await enrol(keys);
    assert.equal(again.answer.status, 201);
    assert.equal(again.answer.json.certificate, first.answer.json.certificate);
    expectError((await enrol(new CardKeys(keys.signer, CardKeys.generate(random).dh))).answer, 409, 7009);
    expectError((await enrol(CardKeys.generate(random), 'nobody')).answer, 404, 7006);
  });

  it('a request signed by another key is refused and changes nothing', async () => {
    const keys = CardKeys.generate(random);
    const ch = (await run.client.post('/enrol/challenge', {})).json.challenge as string;
    const req = requestEnrolment(keys, 'alice', unb64(ch));
    const forged = Buffer.from(req.sealed.bytes);
    forged[forged.length - 2]! ^= 4;
    const before = dbDigest(run.dbPath);
    expectError(await run.client.post('/cards', { enrolment: b64(forged) }), 400, 2001);
    assert.equal(dbDigest(run.dbPath), before);
  });
});
