// `tally bridge sync`: dump the card's new records, upload them, hand the
// authority's signed answer back to the card.
//
//   1. info: who the card is and where its chain stands.
//   2. GET /cards/:id: where the authority's copy of that chain stands.
//   3. dump after the authority's head, in chunks; every batch of records is
//      uploaded (POST /sync) while the next one is read from the card.
//   4. apply, each checked by the card against the authority's key: the
//      acknowledgement first (the card prunes and makes room), then loads,
//      a renewed certificate, the revocation list, the epoch note.
//   5. upload the records step 4 added (the ack and load records), so the
//      authority knows the card recorded its loads.
//
// Resuming: the authority's head is the only progress marker. A sync cut at
// any moment (cable pulled, bridge killed) is simply run again: step 2 finds
// what already arrived, uploads that overlap are byte-identical and change
// nothing, and the card answers "already held" to statements it has.
import {
  Code,
  HASH_BYTES,
  TallyError,
  ZERO_HASH,
  decodeAck,
  decodeCertificate,
  decodeEpoch,
  decodeLoad,
  decodeRevocations,
  fromHex,
  recordHash,
  tallyError,
  toHex,
  type DumpRecord,
  type InfoResult,
} from '../../firmware/core/index.js';
import type { AuthorityClient, PaymentStatus, SyncReply } from './authority-client.js';
import type { CardClient } from './card-client.js';

export interface SyncProgress {
  phase: 'dump' | 'apply' | 'done';
  /** Records read from the card so far, of `total` expected. */
  done: number;
  total: number;
  uploaded: number;
}

export interface SyncOptions {
  /** Records per upload (default 2000; the authority accepts up to 20,000 per request). */
  batchRecords?: number;
  onProgress?: (p: SyncProgress) => void;
}

export interface SyncSummary {
  card: string;
  /** Records read from the card and sent, and how many were new to the authority. */
  uploaded: number;
  accepted: number;
  /** Statements the card took: the acknowledgement, loads, certificate, revocation list, epoch note. */
  applied: { ack: boolean; loads: number; certificate: boolean; revocations: boolean; epoch: boolean };
  /** The card's chain head after the sync, which the authority now holds too. */
  head: { seq: number; hash: string };
  ackedSeq: number;
  freeBytes: number;
  payments: PaymentStatus[];
}

export async function syncCard(card: CardClient, authority: AuthorityClient, opts: SyncOptions = {}): Promise<SyncSummary> {
  const batch = opts.batchRecords ?? 2000;
  const info = await card.info();
  if (!info.cardId || !info.provisioned) throw tallyError(6007, 'run tally bridge provision first');
  const id = toHex(info.cardId);
  const view = await authority.card(id);
  if (view.card !== id) throw tallyError(6016, 'the authority answered for another card');
  const progress: SyncProgress = { phase: 'dump', done: 0, total: Math.max(0, info.seq - view.head.seq), uploaded: 0 };
  opts.onProgress?.(progress);

  const up = await upload(card, authority, id, view.head.hash, batch, progress, opts.onProgress);
  const reply = up.reply;
  const payments = new Map<string, PaymentStatus>();
  for (const p of reply.payments) payments.set(p.hash, p);

  progress.phase = 'apply';
  opts.onProgress?.(progress);
  const applied = await applyReply(card, info, reply);

  // What applying added (ack and load records) goes up too; its ack waits for the next sync.
  let last = reply;
  let uploaded = up.uploaded;
  let accepted = up.accepted;
  const after = await card.info();
  if (after.seq > reply.head.seq) {
    const tail = await upload(card, authority, id, reply.head.hash, batch, progress, undefined);
    last = tail.reply;
    uploaded += tail.uploaded;
    accepted += tail.accepted;
    for (const p of tail.reply.payments) payments.set(p.hash, p);
  }
  if (last.head.seq !== after.seq || last.head.hash !== toHex(after.head)) {
    throw tallyError(6016, `the authority holds seq ${last.head.seq}, the card ${after.seq}`);
  }
  progress.phase = 'done';
  opts.onProgress?.(progress);
  return {
    card: id, uploaded, accepted, applied,
    head: { seq: after.seq, hash: toHex(after.head) }, ackedSeq: after.ackedSeq, freeBytes: after.freeBytes,
    payments: [...payments.values()],
  };
}

/** Dumps everything after `fromHash` and uploads it in batches, one upload in flight while the card is read. */
async function upload(
  card: CardClient,
  authority: AuthorityClient,
  id: string,
  fromHash: string,
  batchRecords: number,
  progress: SyncProgress,
  onProgress: ((p: SyncProgress) => void) | undefined,
): Promise<{ reply: SyncReply; uploaded: number; accepted: number }> {
  let after = fromHash === '' ? ZERO_HASH : fromHex(fromHash, 'head hash');
  if (after.length !== HASH_BYTES) throw tallyError(6016, 'head hash');
  let pending: DumpRecord[] = [];
  let inFlight: Promise<SyncReply> | undefined;
  let reply: SyncReply | undefined;
  let uploaded = 0;
  let accepted = 0;
  const settle = async (): Promise<void> => {
    if (!inFlight) return;
    const r = await inFlight;
    inFlight = undefined;
    reply = r;
    accepted += r.accepted;
    progress.uploaded = uploaded;
  };
  try {
    for (;;) {
      const d = await card.dump(after);
      pending.push(...d.records);
      if (d.records.length) after = recordHash(d.records[d.records.length - 1]!.body);
      progress.done += d.records.length;
      if (progress.done > progress.total) progress.total = progress.done;
      onProgress?.(progress);
      if (pending.length >= batchRecords || !d.more) {
        await settle();
        if (pending.length || !reply) {
          const send = pending;
          pending = [];
          uploaded += send.length;
          inFlight = authority.sync(id, send);
        }
      }
      if (!d.more) break;
    }
    await settle();
  } finally {
    // Never leave an upload unobserved (its rejection would be unhandled).
    if (inFlight) await inFlight.catch(() => undefined);
  }
  onProgress?.(progress);
  return { reply: reply!, uploaded, accepted };
}

/** Hands the authority's statements to the card in the order that always fits (the ack frees room first). */
async function applyReply(card: CardClient, info: InfoResult, reply: SyncReply): Promise<SyncSummary['applied']> {
  const applied = { ack: false, loads: 0, certificate: false, revocations: false, epoch: false };
  const ack = decodeAck(reply.ack);
  if (ack.seq > info.ackedSeq) applied.ack = (await card.apply('applyAck', reply.ack)).applied;
  let serial = info.certificate ? decodeCertificate(info.certificate).serial : 0;
  for (const bytes of reply.loads) {
    const load = decodeLoad(bytes);
    if (load.cert.serial <= serial) continue;
    if ((await card.apply('applyLoad', bytes)).applied) applied.loads++;
    serial = Math.max(serial, load.cert.serial);
  }
  if (decodeCertificate(reply.certificate).serial > serial) applied.certificate = (await card.apply('applyCert', reply.certificate)).applied;
  if (decodeRevocations(reply.revocations).version > info.revocationVersion) applied.revocations = (await card.apply('applyRevocations', reply.revocations)).applied;
  if (decodeEpoch(reply.epoch).epoch > info.epoch) applied.epoch = (await card.apply('applyEpoch', reply.epoch)).applied;
  return applied;
}

/** Errors after which running the sync again (with the card back) resumes it. */
export function isLinkError(e: unknown): boolean {
  return e instanceof TallyError && (e.code === Code.SERIAL_PORT_CLOSED || e.code === Code.SERIAL_TIMEOUT || e.code === Code.SERIAL_PORT_MISSING);
}
