// The preload test's side inside XS (bundled by scripts/build-core.mjs into
// build/xs/tally-preload.js; core imports go to the shipped core bundle).
// test/xs/preload.test.ts loads the core, applies xsPreloadFreeze() (what the
// XS linker does to a preloaded module's objects), then runs these commands:
// the card code after preload, on the device's hashing provider
// (firmware/app/digest-primitives.ts over a digest answered by the Node
// parent, as Moddable's native Digest answers from C on a card).
import { noblePrimitives, usePrimitives, type CardStatus } from '../../firmware/core/index.js';
import { digestPrimitives } from '../../firmware/app/digest-primitives.js';
import { World, runPayment, type TestCard } from '../core/card-fixture.js';
import { HostDigest } from './xs-digest.js';

interface XsGlobals {
  tallyPreloadFreeze?: unknown;
  tallyCommands: Record<string, (msg: Record<string, unknown>) => unknown>;
}
const g = globalThis as unknown as XsGlobals;

let world: World | undefined;
const cards: Record<string, TestCard> = {};

export interface PreloadPayment {
  payer: string | undefined;
  payee: string | undefined;
  payerStatus: CardStatus;
  payeeStatus: CardStatus;
}

/** The error text of `f`, or null when it returns. */
function thrown(f: () => unknown): string | null {
  try {
    f();
    return null;
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

/** What xsPreloadFreeze() reported (test/xs/native/tally-memory.c), called by the test right after the core loaded. */
g.tallyCommands.preloadFreezeResult = (): unknown => {
  if (!g.tallyPreloadFreeze) throw new Error('xsPreloadFreeze() did not run');
  return g.tallyPreloadFreeze;
};

/** Boot: the native-digest provider, the authority, two cards with keys made, certificates installed, ledgers formatted. */
g.tallyCommands.preloadBoot = (): { provider: string; cards: CardStatus[] } => {
  const p = digestPrimitives(HostDigest, 'host digest');
  if (!p) throw new Error('the host digest failed its known-answer test');
  usePrimitives(p);
  world = new World({ seed: 0x9e10 });
  cards.payer = world.card('payer');
  cards.payee = world.card('payee');
  return { provider: p.name, cards: [cards.payer.card.status(), cards.payee.card.status()] };
};

g.tallyCommands.preloadPay = (msg): PreloadPayment => {
  const { payer, payee } = cards;
  if (!payer || !payee) throw new Error('preloadBoot first');
  const r = runPayment(payer, payee, { amount: Number(msg.amount) });
  if (r.refused) throw r.refused;
  return { payer: r.payer?.status, payee: r.payee?.status, payerStatus: payer.card.status(), payeeStatus: payee.card.status() };
};

/** @noble's own SHA-256 (module-scope scratch arrays): what the device must never reach after preload. */
g.tallyCommands.preloadNobleSha256 = (): string | null => thrown(() => noblePrimitives.sha256(Uint8Array.of(1, 2, 3)));
