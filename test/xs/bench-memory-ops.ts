// The memory benchmark's side inside XS (bundled by scripts/build-core.mjs
// into build/xs/tally-bench-memory.js; core imports go to the shipped core
// bundle). test/xs/bench-memory.ts drives it, on the instrumented worker
// (scripts/build-xsnap-memory.mjs) that provides gc() and xsMemory().
//
// Two card cores in one XS machine, as in the card benchmark, with the
// authority that provisions them and their NOR flash in memory (4 sectors of
// sectors given by the caller: counted in the chunk figures, not in a device's RAM).
// Hashing is on the device provider over a digest in the Node parent, as on a
// card (Moddable's native Digest): under preload @noble's SHA-2 cannot run.
import { usePrimitives } from '../../firmware/core/index.js';
import { requireDigestPrimitives } from '../../firmware/app/digest-primitives.js';
import { World, runPayment, type TestCard } from '../core/card-fixture.js';
import { HostDigest } from './xs-digest.js';
import { live, xsGlobals as g, type XsMemory } from './memory-probe.js';

export type { XsDirty, XsMemory } from './memory-probe.js';

let world: World | undefined;
let cards: { payer: TestCard; payee: TestCard } | undefined;

/** The device's hashing provider (a native digest: here answered by the Node parent), then the authority. */
g.tallyCommands.memWorld = (msg): XsMemory => {
  usePrimitives(requireDigestPrimitives(HostDigest, 'host digest'));
  world = new World({ seed: 0x3e3, sectors: Number(msg.sectors), sectorBytes: Number(msg.sectorBytes) });
  return live();
};

/** Key generation, certificate, formatted ledger, booted card: one card. */
g.tallyCommands.memCard = (msg): XsMemory => {
  if (!world) throw new Error('memWorld first');
  const name = String(msg.name);
  const card = world.card(name);
  cards = { ...(cards ?? ({} as { payer: TestCard; payee: TestCard })), [name]: card };
  return live();
};

/** A payment between the two cards (the first, then a repeat: the peer's certificate is cached). */
g.tallyCommands.memPay = (): XsMemory => {
  if (!cards?.payer || !cards.payee) throw new Error('memCard payer and payee first');
  const r = runPayment(cards.payer, cards.payee, { amount: 12_50 });
  if (r.payer?.status !== 'done' || r.payee?.status !== 'done') throw new Error(`payment failed: ${JSON.stringify([r.payer, r.payee])}`);
  return live();
};
