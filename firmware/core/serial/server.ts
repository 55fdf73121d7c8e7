// The card's end of the serial link: frames in, commands run, frames out.
//
// The program that runs the card feeds every byte the UART receives to
// `receive` and sends what comes out of `host.send`. Commands run
// synchronously, one at a time, in the order their frames arrive.
//
// What the card trusts: nothing from the host unless an authority it trusts
// signed it. Statements (acknowledgement, load, certificate, revocation list,
// epoch note) are checked by the Card facade before anything is written or
// pruned; a signature that does not verify is answered with 6008. Secret keys
// never leave the card: no response carries anything but public keys.
//
// Retransmissions: the host sends a request again, with the same sequence
// number and bytes, when its answer got lost. The card keeps its last answer
// (one entry) and sends it again instead of running the command twice, as
// long as nothing changed the card since (the ledger's write and erase
// counters), so a cached answer is never stale.
import { equalBytes } from '../bytes.js';
import type { Card } from '../card.js';
import { ArgumentError, TallyError, tallyError, type ErrorCode } from '../errors.js';
import { requestEnrolment } from '../enrol.js';
import { CardKeys, type Random } from '../identity.js';
import { RESERVED_SECTORS, SECTOR_HEADER_BYTES } from '../ledger/index.js';
import { ZERO_HASH } from '../records.js';
import { FrameDecoder, encodeFrame } from './frame.js';
import {
  DUMP_CHUNK_MAX,
  DUMP_RECORDS_MAX,
  SERIAL_PROTOCOL_VERSION,
  decodeRequest,
  dumpRecordBytes,
  encodeError,
  encodeResult,
  type ApplyResult,
  type CommandName,
  type DumpRecord,
  type DumpResult,
  type InfoResult,
  type ProvisionResult,
  type ResultOf,
  type SerialRequest,
} from './protocol.js';

/** What the program running the card provides to its serial end. */
export interface SerialCardHost {
  /** The booted card, once it has keys (undefined on a blank card). */
  card(): Card | undefined;
  /**
   * A blank card made its keys while provisioning: keep their secrets in the
   * key store (never in the ledger region), erase the ledger region, boot the
   * card on them and return it.
   */
  provision(keys: CardKeys): Card;
  /** Bytes for the UART. */
  send(bytes: Uint8Array): void;
}

export interface SerialCardOptions {
  host: SerialCardHost;
  /** The card's hardware random source: provisioning makes the keys from it. */
  random: Random;
  /** Reported by `info`: printable ASCII, 1..64 characters. */
  firmware: string;
  /** Called when a command failed with something that is not a coded error (the answer is 6013). */
  onFault?: (e: unknown) => void;
}

export interface SerialCardStats {
  /** Frames that decoded. */
  frames: number;
  /** Frames dropped (bad COBS, length, size or CRC): each answered with a notice. */
  dropped: number;
  /** Commands run. */
  executed: number;
  /** Retransmitted requests answered from the cache. */
  cached: number;
  /** Bytes sent. */
  bytesOut: number;
  /** Frames the host's send refused (lost; the bridge retransmits). */
  unsent: number;
}

/** Fixed part of a dump chunk's envelope, bounded above: map head, status, records' key and array head, more, seq, head. */
const DUMP_ENVELOPE_BYTES = 1 + 2 + 4 + 2 + 6 + 35 + 14;

export class SerialCard {
  readonly stats: SerialCardStats = { frames: 0, dropped: 0, executed: 0, cached: 0, bytesOut: 0, unsent: 0 };
  private readonly decoder = new FrameDecoder();
  private readonly opts: SerialCardOptions;
  private cache: { seq: number; request: Uint8Array; state: string; frame: Uint8Array } | undefined;
  /** Where the last dump chunk ended: the next request usually resumes there. */
  private dumpHint = 0;
  private provisions = 0;

  constructor(opts: SerialCardOptions) {
    if (!opts || typeof opts.host !== 'object' || typeof opts.random !== 'function') throw new ArgumentError('options', 'SerialCardOptions');
    if (typeof opts.firmware !== 'string' || !/^[\x20-\x7e]{1,64}$/.test(opts.firmware)) throw new ArgumentError('firmware', 'printable ASCII, 1..64 characters');
    this.opts = opts;
  }

  /** Bytes from the UART, in any pieces. Never throws for bad input. */
  receive(bytes: Uint8Array): void {
    for (const ev of this.decoder.push(bytes)) {
      if ('error' in ev) {
        this.stats.dropped++;
        this.send(0, encodeError(ev.error.code as ErrorCode, tallyError(ev.error.code as ErrorCode, ev.error.message).message, true));
        continue;
      }
      this.stats.frames++;
      this.request(ev.frame.seq, ev.frame.payload);
    }
  }

  private request(seq: number, payload: Uint8Array): void {
    const state = this.state();
    const c = this.cache;
    if (c && c.seq === seq && c.state === state && equalBytes(c.request, payload)) {
      this.stats.cached++;
      this.write(c.frame);
      return;
    }
    let out: Uint8Array;
    try {
      let req: SerialRequest;
      try {
        req = decodeRequest(payload);
      } catch (e) {
        // A request that does not decode: 6005, with the decoder's own code in the message.
        if (e instanceof TallyError && e.code < 2000) throw tallyError(6005, e.message);
        throw e;
      }
      this.stats.executed++;
      out = this.run(req);
    } catch (e) {
      out = this.refusal(e);
    }
    let frame: Uint8Array;
    try {
      frame = encodeFrame(seq, out);
    } catch (e) {
      frame = encodeFrame(seq, this.refusal(e));
    }
    this.cache = { seq, request: payload.slice(), state: this.state(), frame };
    this.write(frame);
  }

  private refusal(e: unknown): Uint8Array {
    if (e instanceof TallyError) return encodeError(e.code, e.message);
    this.opts.onFault?.(e);
    // Nothing of an unexpected failure goes on the line: it could hold anything.
    return encodeError(6013, tallyError(6013).message);
  }

  /** Changes whenever the card's state may have changed (any flash write or erase, provisioning). */
  private state(): string {
    const card = this.opts.host.card();
    if (!card) return `blank/${this.provisions}`;
    const s = card.ledger.stats;
    return `${this.provisions}/${s.writes}/${s.erases}`;
  }

  private send(seq: number, payload: Uint8Array): void {
    this.write(encodeFrame(seq, payload));
  }

  private write(frame: Uint8Array): void {
    try {
      this.opts.host.send(frame);
      this.stats.bytesOut += frame.length;
    } catch (e) {
      // The UART would not take it (queue full, port gone): the answer is lost, the host will ask again.
      this.stats.unsent++;
      this.opts.onFault?.(e);
    }
  }

  private run(req: SerialRequest): Uint8Array {
    const result = <C extends CommandName>(cmd: C, r: ResultOf[C]): Uint8Array => encodeResult(cmd, r);
    switch (req.cmd) {
      case 'info':
        return result('info', this.info());
      case 'provision':
        return result('provision', this.provision(req.account, req.challenge));
      case 'dump':
        return result('dump', this.dump(this.need(), req.after, req.maxBytes ?? DUMP_CHUNK_MAX));
      default:
        return result(req.cmd, this.apply(this.need(), req.cmd, req.statement));
    }
  }

  private need(): Card {
    const c = this.opts.host.card();
    if (!c) throw tallyError(6007, 'the card has no keys');
    return c;
  }

  private info(): InfoResult {
    const c = this.opts.host.card();
    const base: InfoResult = {
      protocol: SERIAL_PROTOCOL_VERSION, firmware: this.opts.firmware, provisioned: false,
      seq: 0, head: ZERO_HASH, ackedSeq: 0, firstSeq: 1, freeBytes: 0, totalBytes: 0, epoch: 0, revocationVersion: 0, pending: 0,
    };
    if (!c) return base;
    const l = c.ledger;
    const cert = l.certificate;
    const i: InfoResult = {
      ...base,
      provisioned: cert !== undefined,
      cardId: c.cardId,
      signKey: c.keys.signer.publicKey,
      dhKey: c.keys.dh.publicKey,
      seq: l.seq,
      head: l.head,
      ackedSeq: l.base.seq,
      firstSeq: l.records[0]?.seq ?? l.seq + 1,
      freeBytes: freeBytes(c),
      totalBytes: l.log.flash.sizeBytes,
      epoch: l.epoch,
      revocationVersion: l.revocations?.version ?? 0,
      pending: l.pending().length,
    };
    if (cert) i.certificate = cert.bytes;
    return i;
  }

  private provision(account: string, challenge: Uint8Array): ProvisionResult {
    let card = this.opts.host.card();
    if (card?.ledger.certificate) throw tallyError(6010, 'this card already has a certificate');
    if (!card) {
      // The keys are made here, from the card's own random source; only their public halves leave.
      const keys = CardKeys.generate(this.opts.random);
      card = this.opts.host.provision(keys);
      this.provisions++;
    }
    const req = requestEnrolment(card.keys, account, challenge);
    return { cardId: card.cardId, signKey: card.keys.signer.publicKey, dhKey: card.keys.dh.publicKey, enrolment: req.sealed.bytes };
  }

  private dump(c: Card, after: Uint8Array, maxBytes: number): DumpResult {
    const l = c.ledger;
    const recs = l.records;
    let start = -1;
    if (equalBytes(after, ZERO_HASH)) start = 0;
    else {
      const h = this.dumpHint;
      if (h > 0 && h <= recs.length && equalBytes(recs[h - 1]!.hash, after)) start = h;
      for (let i = recs.length - 1; start < 0 && i >= 0; i--) if (equalBytes(recs[i]!.hash, after)) start = i + 1;
      if (start < 0) {
        // The head just before the first retained record: the log's anchor or the last acknowledged head.
        const anchor = l.log.sectors[0]?.anchor;
        const ack = l.lastAcknowledged;
        const seq = anchor && equalBytes(anchor.hash, after) ? anchor.seq : ack && equalBytes(ack.head, after) ? ack.seq : -1;
        if (seq >= 0) {
          start = recs.findIndex((r) => r.seq > seq);
          if (start < 0) start = recs.length;
        }
      }
    }
    if (start < 0) throw tallyError(6009, 'dump from a hash the card does not hold');
    const out: DumpRecord[] = [];
    let budget = maxBytes - DUMP_ENVELOPE_BYTES;
    let i = start;
    for (; i < recs.length && out.length < DUMP_RECORDS_MAX; i++) {
      const r = recs[i]!;
      const d: DumpRecord = { body: r.body };
      if (r.signature) d.signature = r.signature;
      if (r.attachment) d.attachment = r.attachment;
      const n = dumpRecordBytes(d);
      if (n > budget) break;
      budget -= n;
      out.push(d);
    }
    this.dumpHint = i;
    return { records: out, more: i < recs.length, seq: l.seq, head: l.head };
  }

  private apply(c: Card, cmd: Exclude<CommandName, 'info' | 'dump' | 'provision'>, bytes: Uint8Array): ApplyResult {
    const l = c.ledger;
    const before = { seq: l.seq, acked: l.base.seq, serial: l.certificate?.serial };
    let applied = true;
    try {
      switch (cmd) {
        case 'applyAck':
          // The same acknowledgement again only finishes an interrupted compaction.
          c.applyAck(bytes);
          applied = l.base.seq !== before.acked;
          break;
        case 'applyLoad':
          c.applyLoad(bytes);
          applied = l.seq !== before.seq;
          break;
        case 'applyCert':
          c.installCertificate(bytes);
          applied = l.certificate?.serial !== before.serial;
          break;
        case 'applyRevocations':
          applied = c.applyRevocations(bytes);
          break;
        case 'applyEpoch':
          applied = c.applyEpochNote(bytes);
          break;
      }
    } catch (e) {
      if (!(e instanceof TallyError)) throw e;
      // Not signed by an authority the card trusts: the host tried something.
      if (e.code === 2001 || e.code === 2003) throw tallyError(6008, `${cmd}: ${e.message}`);
      // The card already holds it or something newer: nothing to do (a resumed sync sends it again).
      if (e.code === 5007) applied = false;
      else throw e;
    }
    return { applied, seq: l.seq, head: l.head, ackedSeq: l.base.seq, freeBytes: freeBytes(c) };
  }
}

/** Bytes of the ledger region still free for records (the space kept for sync excluded). */
function freeBytes(c: Card): number {
  const log = c.ledger.log;
  const per = log.sectorBytes - SECTOR_HEADER_BYTES;
  const last = log.sectors[log.sectors.length - 1];
  const room = last && !last.closed ? log.sectorBytes - last.end : 0;
  return Math.max(0, (log.sectorCount - log.sectors.length - RESERVED_SECTORS) * per + room);
}
