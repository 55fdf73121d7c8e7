// Gathers pending events into blocks: by count (as soon as `blockEvents`
// wait) and by time (the server's timer seals whatever waits). Runs inside
// the caller's transaction, so a block and the settlements in it commit
// together or not at all.
import { ZERO_HASH } from '../../../firmware/core/index.js';
import { u8 } from '../codec.js';
import type { Context } from '../context.js';
import { sha256 } from './hash.js';
import { encodeHeader } from './header.js';
import { merkleRoot } from './merkle.js';

export interface ChainTip {
  /** Height of the last block, -1 before the first. */
  height: number;
  hash: Uint8Array;
  /** Id of the last event in a block (0 before the first). */
  lastSealed: number;
}

export function chainTip(ctx: Context): ChainTip {
  const b = ctx.q('SELECT height, hash, first_event, event_count FROM blocks ORDER BY height DESC LIMIT 1').get() as
    | { height: number; hash: Buffer; first_event: number; event_count: number }
    | undefined;
  return b ? { height: b.height, hash: u8(b.hash), lastSealed: b.first_event + b.event_count - 1 } : { height: -1, hash: ZERO_HASH, lastSealed: 0 };
}

export function pendingEvents(ctx: Context, tip = chainTip(ctx)): number {
  const m = ctx.q('SELECT max(id) AS id FROM events').get() as { id: number | null };
  return (m.id ?? 0) - tip.lastSealed;
}

/**
 * Seals full blocks of `blockEvents` events, and with `partial` also the
 * remainder. Returns the number of blocks sealed.
 */
export function sealBlocks(ctx: Context, partial: boolean): number {
  let tip = chainTip(ctx);
  let sealed = 0;
  const size = ctx.options.blockEvents;
  for (;;) {
    const waiting = pendingEvents(ctx, tip);
    if (waiting <= 0 || (waiting < size && !partial)) return sealed;
    const rows = ctx.q('SELECT id, hash FROM events WHERE id > ? ORDER BY id LIMIT ?').all(tip.lastSealed, size) as { id: number; hash: Buffer }[];
    const header = encodeHeader({
      height: tip.height + 1,
      prev: tip.hash,
      merkleRoot: merkleRoot(rows.map((r) => u8(r.hash))),
      firstEvent: tip.lastSealed + 1,
      eventCount: rows.length,
      timeMs: ctx.now(),
    });
    const hash = sha256(header);
    ctx.q('INSERT INTO blocks (height, hash, header, first_event, event_count) VALUES (?, ?, ?, ?, ?)').run(tip.height + 1, hash, header, tip.lastSealed + 1, rows.length);
    ctx.q('INSERT INTO block_signatures (height, key_id, signature) VALUES (?, ?, ?)').run(tip.height + 1, ctx.keyId, ctx.signer.sign('block', header));
    tip = { height: tip.height + 1, hash, lastSealed: tip.lastSealed + rows.length };
    sealed++;
  }
}
