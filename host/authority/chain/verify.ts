// Re-verifies an exported chain from scratch, trusting nothing but the
// authority keys: every event hash, every Merkle root, every header hash and
// link, a quorum of signatures per block, and the events themselves (each
// certificate and load signed by an authority, each settled payment signed
// by its payer's enrolled key and settled once, no account or card allowance
// ever below zero). Throws a coded error (7026-7031) at the first failure.
import { createHash, verify, type KeyObject } from 'node:crypto';
import {
  decodeCanonical,
  decodeCertificate,
  decodeLoad,
  decodeRecordBody,
  decodeSealedRecord,
  equalBytes,
  keyIdOf,
  signedMessage,
  TallyError,
  tallyError,
  ZERO_HASH,
} from '../../../firmware/core/index.js';
import { hex, parseB64, parseHex } from '../codec.js';
import { refuse } from '../fail.js';
import { publicKeyObject } from '../keys.js';
import { E, eventView } from './events.js';
import { CHAIN_FORMAT } from './export.js';
import { decodeHeader } from './header.js';
import { merkleRoot } from './merkle.js';

export interface ChainReport {
  blocks: number;
  events: number;
  /** Hash of the last block (hex), or null for an empty chain. */
  head: string | null;
  /** Key ids whose signatures were counted. */
  authorities: string[];
  settlements: number;
}

export interface ChainTrust {
  /** Authority public keys to trust; default: the keys the file lists. */
  keys?: Uint8Array[];
  /** Distinct valid signatures a block needs; default: the file's quorum. */
  quorum?: number;
}

const sha = (b: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(b).digest());
const obj = (v: unknown, what: string): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : refuse(7026, `${what} must be an object`);

export function verifyChain(json: unknown, trust: ChainTrust = {}): ChainReport {
  const doc = obj(json, 'the chain');
  if (doc.format !== CHAIN_FORMAT) refuse(7026, `format must be ${CHAIN_FORMAT}`);
  const listed = Array.isArray(doc.authorities) ? doc.authorities : refuse(7026, 'authorities must be an array');
  const fileKeys = listed.map((a, i) => {
    const o = obj(a, `authorities[${i}]`);
    const key = parseHex(o.publicKey, 32) ?? refuse(7026, `authorities[${i}].publicKey must be 64 hex digits`);
    if (o.keyId !== hex(keyIdOf(key))) refuse(7026, `authorities[${i}].keyId is not the id of its key`);
    return key;
  });
  const keys = new Map<string, { raw: Uint8Array; obj: KeyObject }>();
  for (const k of trust.keys ?? fileKeys) keys.set(hex(keyIdOf(k)), { raw: k, obj: publicKeyObject(k) });
  const quorum = trust.quorum ?? (typeof doc.quorum === 'number' && Number.isSafeInteger(doc.quorum) ? doc.quorum : refuse(7026, 'quorum must be a whole number'));
  if (quorum < 1 || quorum > keys.size) refuse(7026, `quorum ${quorum} with ${keys.size} trusted key(s)`);
  const blocks = Array.isArray(doc.blocks) ? doc.blocks : refuse(7026, 'blocks must be an array');

  const ledger = new Audit(keys);
  let prev: Uint8Array = ZERO_HASH;
  let nextEvent = 1;
  let events = 0;
  blocks.forEach((b, height) => {
    const where = `block ${height}`;
    const blk = obj(b, where);
    const headerBytes = parseB64(blk.header, 256) ?? refuse(7026, `${where}: header must be base64url`);
    const h = withCode(7026, where, () => decodeHeader(headerBytes));
    const hash = sha(headerBytes);
    if (blk.hash !== hex(hash)) refuse(7027, `${where}: hash is not the hash of its header`);
    if (h.height !== height || blk.height !== height) refuse(7029, `${where}: height ${h.height}`);
    if (!equalBytes(h.prev, prev)) refuse(7029, `${where}: prev is not the hash of block ${height - 1}`);
    if (h.firstEvent !== nextEvent) refuse(7029, `${where}: first event ${h.firstEvent}, expected ${nextEvent}`);
    const shown = { prev: hex(h.prev), merkleRoot: hex(h.merkleRoot), firstEvent: h.firstEvent, eventCount: h.eventCount, timeMs: h.timeMs };
    for (const [k, v] of Object.entries(shown)) if (blk[k] !== v) refuse(7026, `${where}: ${k} differs from the header`);
    const evs = Array.isArray(blk.events) ? blk.events : refuse(7026, `${where}: events must be an array`);
    if (evs.length !== h.eventCount) refuse(7026, `${where}: ${evs.length} events, header says ${h.eventCount}`);
    const cbors = evs.map((e, i) => {
      const ev = obj(e, `${where} event ${i}`);
      const cbor = parseB64(ev.cbor, 4096) ?? refuse(7026, `${where} event ${i}: cbor must be base64url`);
      if (ev.hash !== hex(sha(cbor))) refuse(7027, `${where} event ${i}: hash is not the hash of its bytes`);
      const view = withCode(7031, `${where} event ${i}`, () => eventView(cbor));
      if (JSON.stringify(view) !== JSON.stringify(ev.event)) refuse(7031, `${where} event ${i}: the readable form differs from the bytes`);
      return cbor;
    });
    if (!equalBytes(merkleRoot(cbors.map(sha)), h.merkleRoot)) refuse(7028, where);
    const sigs = Array.isArray(blk.signatures) ? blk.signatures : refuse(7026, `${where}: signatures must be an array`);
    const good = new Set<string>();
    for (const s of sigs) {
      const o = obj(s, `${where} signature`);
      const k = typeof o.keyId === 'string' ? keys.get(o.keyId) : undefined;
      const sig = parseB64(o.signature, 64);
      if (k && sig && sig.length === 64 && verify(null, signedMessage('block', headerBytes), k.obj, sig)) good.add(o.keyId as string);
    }
    if (good.size < quorum) refuse(7030, `${where}: ${good.size} valid signature(s) of trusted keys, quorum ${quorum}`);
    // The block is authentic; now what it says must add up.
    cbors.forEach((cbor, i) => withCode(7031, `${where} event ${i}`, () => ledger.apply(cbor)));
    prev = hash;
    nextEvent += h.eventCount;
    events += h.eventCount;
  });
  return { blocks: blocks.length, events, head: blocks.length ? hex(prev) : null, authorities: [...keys.keys()], settlements: ledger.settled.size };
}

function withCode<T>(code: 7026 | 7031, where: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TallyError && e.code >= 7000) throw tallyError(e.code, `${where}: ${e.detail}`);
    throw tallyError(code, `${where}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Replays the events: who is enrolled, what is signed by whom, and that no balance goes below zero. */
class Audit {
  readonly settled = new Set<string>();
  private readonly accounts = new Map<string, number>();
  private readonly cards = new Map<string, { key: KeyObject; headroom: number }>();
  constructor(private readonly keys: Map<string, { raw: Uint8Array; obj: KeyObject }>) {}

  apply(cbor: Uint8Array): void {
    const m = decodeCanonical(cbor, { maxBytes: 4096, maxDepth: 2 }) as Map<number, unknown>;
    const get = <T>(k: number): T => m.get(k) as T;
    switch (get<string>(E.type)) {
      case 'account':
        if (this.accounts.has(get(E.account))) refuse(7031, `account ${get<string>(E.account)} opened twice`);
        this.accounts.set(get(E.account), 0);
        return;
      case 'deposit':
        this.move(get(E.account), get<number>(E.amount));
        return;
      case 'enrol': {
        const cert = decodeCertificate(get(E.certificate));
        this.authoritySigned('cert', cert.body, cert.signature, cert.issuerKeyId);
        if (!equalBytes(cert.cardId, get(E.card)) || cert.account !== get(E.account)) refuse(7031, 'the certificate is for another card or account');
        if (!this.accounts.has(cert.account)) refuse(7031, `card enrolled for unknown account ${cert.account}`);
        this.cards.set(hex(cert.cardId), { key: publicKeyObject(cert.signKey), headroom: 0 });
        return;
      }
      case 'load': {
        const l = decodeLoad(get(E.load));
        this.loadSigned(l.sealed.body, l.sealed.signature);
        const card = this.card(l.card);
        if (l.amount !== get(E.amount) || !equalBytes(l.card, get(E.card))) refuse(7031, 'the load differs from its event');
        this.move(get(E.account), -l.amount);
        card.headroom += l.amount;
        return;
      }
      case 'settle': {
        const rec = decodeSealedRecord(get(E.payment));
        const p = decodeRecordBody(rec.body);
        if (p.kind !== 'payment') return refuse(7031, 'settle without a payment');
        const payer = this.card(p.card);
        if (!verify(null, signedMessage('payment', rec.body), payer.key, rec.signature!)) refuse(7031, 'the payment is not signed by its payer');
        const h = hex(sha(rec.body));
        if (this.settled.has(h)) refuse(7031, `payment ${h} settled twice`);
        this.settled.add(h);
        this.card(p.payee);
        payer.headroom -= p.amount;
        if (payer.headroom < 0) refuse(7031, `card ${hex(p.card)} settled beyond its allowance`);
        this.move(get(E.account), p.amount);
        return;
      }
      case 'revoke':
        this.card(get(E.card));
        return;
      case 'epoch':
        return;
      default:
        refuse(7031, `unknown event type ${String(get(E.type))}`);
    }
  }

  private move(account: string, amount: number): void {
    const bal = this.accounts.get(account);
    if (bal === undefined) refuse(7031, `unknown account ${account}`);
    if (bal + amount < 0) refuse(7031, `account ${account} below zero`);
    this.accounts.set(account, bal + amount);
  }

  private card(id: Uint8Array): { key: KeyObject; headroom: number } {
    return this.cards.get(hex(id)) ?? refuse(7031, `card ${hex(id)} was never enrolled`);
  }

  private authoritySigned(tag: 'cert', body: Uint8Array, sig: Uint8Array, keyId: Uint8Array): void {
    const k = this.keys.get(hex(keyId));
    if (!k || !verify(null, signedMessage(tag, body), k.obj, sig)) refuse(7031, `a ${tag} not signed by a trusted authority`);
  }

  /** A load names no issuer: any trusted authority key may have signed it. */
  private loadSigned(body: Uint8Array, sig: Uint8Array): void {
    for (const k of this.keys.values()) if (verify(null, signedMessage('load', body), k.obj, sig)) return;
    refuse(7031, 'a load not signed by a trusted authority');
  }
}
