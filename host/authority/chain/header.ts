// A block header: deterministic CBOR, hashed and signed (tag 'block') by each
// authority that vouches for the block. Signatures are kept beside the
// header, one per authority key id, so a later quorum of authorities can
// co-sign the same header bytes.
import { decodeCanonical, encodeCanonical, HASH_BYTES, MapReader } from '../../../firmware/core/index.js';
import { refuse } from '../fail.js';

export const BLOCK_VERSION = 1;
const H = { version: 1, height: 2, prev: 3, merkleRoot: 4, firstEvent: 5, eventCount: 6, timeMs: 7 } as const;
const HEADER_MAX_BYTES = 256;

export interface BlockHeader {
  height: number;
  /** Hash of the previous block's header; 32 zero bytes for height 0. */
  prev: Uint8Array;
  merkleRoot: Uint8Array;
  /** Events are numbered from 1 across the whole chain; a block holds firstEvent .. firstEvent + eventCount - 1. */
  firstEvent: number;
  eventCount: number;
  /** Wall-clock time the block was sealed (informative: nothing depends on it). */
  timeMs: number;
}

export function encodeHeader(h: BlockHeader): Uint8Array {
  return encodeCanonical(
    new Map<number, number | Uint8Array>([
      [H.version, BLOCK_VERSION],
      [H.height, h.height],
      [H.prev, h.prev],
      [H.merkleRoot, h.merkleRoot],
      [H.firstEvent, h.firstEvent],
      [H.eventCount, h.eventCount],
      [H.timeMs, h.timeMs],
    ]),
  );
}

/** Strict decoding (coded 1xxx errors). */
export function decodeHeader(bytes: Uint8Array): BlockHeader {
  const r = new MapReader(decodeCanonical(bytes, { maxBytes: HEADER_MAX_BYTES }), 'block header');
  const version = r.uint(H.version, 'version');
  if (version !== BLOCK_VERSION) refuse(7026, `block version ${version}, expected ${BLOCK_VERSION}`);
  const h = {
    height: r.uint(H.height, 'height'),
    prev: r.bytes(H.prev, 'prev', HASH_BYTES),
    merkleRoot: r.bytes(H.merkleRoot, 'merkleRoot', HASH_BYTES),
    firstEvent: r.uint(H.firstEvent, 'firstEvent'),
    eventCount: r.uint(H.eventCount, 'eventCount'),
    timeMs: r.uint(H.timeMs, 'timeMs'),
  };
  r.done();
  return h;
}
