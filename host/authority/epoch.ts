// Authority epochs: cards have no clock, so certificate validity is counted
// in epochs the authority advances (POST /epoch, or a timer).
import { issueEpoch, type EpochNote } from '../../firmware/core/index.js';
import { appendEvent } from './chain/events.js';
import type { Context } from './context.js';
import { currentEpoch, setMeta } from './state.js';

/** The signed note of the current epoch (cached until it changes). */
export function epochNote(ctx: Context): EpochNote {
  const epoch = currentEpoch(ctx);
  if (ctx.notes.epoch?.epoch !== epoch) ctx.notes.epoch = issueEpoch(ctx.signer, epoch);
  return ctx.notes.epoch;
}

export function advanceEpoch(ctx: Context): number {
  return ctx.db.transaction(() => {
    const epoch = currentEpoch(ctx) + 1;
    setMeta(ctx, 'epoch', epoch);
    appendEvent(ctx, { type: 'epoch', epoch });
    return epoch;
  }).immediate();
}
