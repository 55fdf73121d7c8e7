// The chain as JSON: every block with its header (the signed bytes), its
// signatures and its events (the hashed bytes and their readable form). The
// format a verifier re-checks from scratch (chain/verify.ts).
import { b64, hex, u8 } from '../codec.js';
import type { Db } from '../store/open.js';
import { eventView } from './events.js';
import { decodeHeader } from './header.js';

export const CHAIN_FORMAT = 'tally-chain/1';

export interface ExportedEvent {
  hash: string;
  cbor: string;
  event: Record<string, unknown>;
}

export interface ExportedBlock {
  height: number;
  hash: string;
  prev: string;
  merkleRoot: string;
  firstEvent: number;
  eventCount: number;
  timeMs: number;
  header: string;
  signatures: { keyId: string; signature: string }[];
  events?: ExportedEvent[];
}

export interface ChainHead {
  format: typeof CHAIN_FORMAT;
  /** Keys whose signatures count, and how many distinct ones a block needs. */
  authorities: { keyId: string; publicKey: string }[];
  quorum: number;
}

interface BlockRow {
  height: number;
  hash: Buffer;
  header: Buffer;
  first_event: number;
  event_count: number;
}

export function chainHead(db: Db): ChainHead {
  const rows = db.prepare('SELECT key_id, public_key FROM authorities ORDER BY key_id').all() as { key_id: Buffer; public_key: Buffer }[];
  return { format: CHAIN_FORMAT, authorities: rows.map((r) => ({ keyId: hex(r.key_id), publicKey: hex(r.public_key) })), quorum: 1 };
}

export function blockJson(db: Db, row: BlockRow, withEvents: boolean): ExportedBlock {
  const h = decodeHeader(u8(row.header));
  const sigs = db.prepare('SELECT key_id, signature FROM block_signatures WHERE height = ? ORDER BY key_id').all(row.height) as { key_id: Buffer; signature: Buffer }[];
  const block: ExportedBlock = {
    height: h.height,
    hash: hex(row.hash),
    prev: hex(h.prev),
    merkleRoot: hex(h.merkleRoot),
    firstEvent: h.firstEvent,
    eventCount: h.eventCount,
    timeMs: h.timeMs,
    header: b64(row.header),
    signatures: sigs.map((s) => ({ keyId: hex(s.key_id), signature: b64(s.signature) })),
  };
  if (withEvents) {
    const evs = db.prepare('SELECT hash, cbor FROM events WHERE id >= ? AND id < ? ORDER BY id').all(row.first_event, row.first_event + row.event_count) as { hash: Buffer; cbor: Buffer }[];
    block.events = evs.map((e) => ({ hash: hex(e.hash), cbor: b64(e.cbor), event: eventView(u8(e.cbor)) }));
  }
  return block;
}

export function blocksFrom(db: Db, from: number, limit: number, withEvents: boolean): ExportedBlock[] {
  const rows = db.prepare('SELECT height, hash, header, first_event, event_count FROM blocks WHERE height >= ? ORDER BY height LIMIT ?').all(from, limit) as BlockRow[];
  return rows.map((r) => blockJson(db, r, withEvents));
}

/** Writes the whole chain as one JSON document, a block at a time. */
export function writeChain(db: Db, write: (chunk: string) => void): number {
  const head = chainHead(db);
  write(`${JSON.stringify(head).slice(0, -1)},"blocks":[`);
  let n = 0;
  for (const row of db.prepare('SELECT height, hash, header, first_event, event_count FROM blocks ORDER BY height').iterate() as Iterable<BlockRow>) {
    write(`${n ? ',' : ''}\n${JSON.stringify(blockJson(db, row, true))}`);
    n++;
  }
  write('\n]}\n');
  return n;
}
