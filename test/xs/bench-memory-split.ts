// One card app per XS machine, as on two real cards: a payer worker and a
// payee worker (core and app preloaded, test/xs/bench-memory-app-ops.ts), the
// GATT values at MTU 23 relayed between them by this side, both clocks moved
// together. The authority is made before the heap is fixed (a card has none),
// so a peak here is one card's: its keys, certificate, ledger, app, screens,
// and two payments by tap.
import type { XsHarness } from './harness.js';
import type { SplitState } from './bench-memory-app-ops.js';
import { fixHeap, outOfMemory, smallestBudget, start, type Budget } from './memory-worker.js';

const AMOUNT = 12_50;
const PAYMENTS = 2;
const IDLE_STEP_MS = 500;
type Role = 'payer' | 'payee';

async function card(role: Role, sectors: number, sectorBytes: number, fix?: Budget): Promise<XsHarness> {
  const { h } = await start([], ['tally-bench-memory-app.js']);
  try {
    await h.call('memAppWorld', { sectors, sectorBytes });
    if (fix) await fixHeap(h, fix);
    await h.call('memApp', { name: role });
    return h;
  } catch (e) {
    await h.close().catch(() => undefined);
    throw e;
  }
}

/** A payment by tap between the two workers, as app-fixture.ts's payByTap drives it in one machine. */
async function pay(payer: XsHarness, payee: XsHarness, n: number): Promise<void> {
  const { offer } = (await payee.call<{ offer: string }>('splitAsk', { amount: AMOUNT })).value;
  let a = (await payer.call<SplitState>('splitPay', { offer })).value;
  let b: SplitState = { out: [], view: 'offer', ok: null, closed: false };
  const toPayee = [...a.out];
  const toPayer: string[] = [];
  const step = async (press: Partial<Record<Role, string>> = {}): Promise<void> => {
    const advanceMs = toPayer.length || toPayee.length ? 0 : IDLE_STEP_MS;
    a = (await payer.call<SplitState>('splitStep', { inbound: toPayer.splice(0), advanceMs, press: press.payer })).value;
    toPayee.push(...a.out);
    b = (await payee.call<SplitState>('splitStep', { inbound: toPayee.splice(0), advanceMs, press: press.payee })).value;
    toPayer.push(...b.out);
  };
  const until = async (done: () => boolean, limit: number, what: string): Promise<void> => {
    for (let i = 0; i < limit && !done(); i++) await step();
    if (!done()) throw new Error(`payment ${n}: ${what} (payer shows ${a.view}, payee ${b.view})`);
  };
  await until(() => a.view === 'confirm', 2000, 'the payer never asked to confirm');
  await step({ payer: 'select' });
  await until(() => b.view === 'result', 5000, 'the payee showed no result');
  if (!b.ok) throw new Error(`payment ${n}: the payee's result is a failure`);
  await step({ payee: 'select' }); // the payee's holder leaves the result at once
  await until(() => a.view === 'result', 5000, 'the payer showed no result');
  if (!a.ok) throw new Error(`payment ${n}: the payer's result is a failure`);
  await until(() => a.closed && b.closed, 200, 'the link did not close');
}

/** Both cards and their payments, with `role`'s heap fixed at `fix`; false when that card runs out of memory. */
async function attempt(role: Role, fix: Budget, sectors: number, sectorBytes: number): Promise<boolean> {
  let payer: XsHarness | undefined;
  let payee: XsHarness | undefined;
  try {
    payer = await card('payer', sectors, sectorBytes, role === 'payer' ? fix : undefined);
    payee = await card('payee', sectors, sectorBytes, role === 'payee' ? fix : undefined);
    for (let n = 1; n <= PAYMENTS; n++) await pay(payer, payee, n);
    const paid = (await payer.call<{ spent: number }>('splitStatus')).value.spent;
    const got = (await payee.call<{ received: number }>('splitStatus')).value.received;
    if (paid !== AMOUNT * PAYMENTS || got !== AMOUNT * PAYMENTS) throw new Error(`ledgers: spent ${paid}, received ${got}`);
    return true;
  } catch (e) {
    if (outOfMemory(e)) return false;
    throw e;
  } finally {
    await payer?.close().catch(() => undefined);
    await payee?.close().catch(() => undefined);
  }
}

/** Each card's smallest heap (slots) and chunk space (bytes) for its keys, app and two payments by tap. */
export async function splitPeaks(sectors: number, sectorBytes: number): Promise<Record<Role, Budget>> {
  const out = {} as Record<Role, Budget>;
  for (const role of ['payer', 'payee'] as Role[]) {
    const slots = await smallestBudget((fix) => attempt(role, fix, sectors, sectorBytes), 'slots', 8192, 16);
    const bytes = await smallestBudget((fix) => attempt(role, fix, sectors, sectorBytes), 'bytes', 1 << 18, 4096);
    out[role] = { slots, bytes };
  }
  return out;
}
