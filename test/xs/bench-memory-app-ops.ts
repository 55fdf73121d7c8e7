// The memory benchmark's card-app side inside XS (bundled by
// scripts/build-core.mjs into build/xs/tally-bench-memory-app.js; core
// imports go to the shipped core bundle). test/xs/bench-memory.ts drives it.
//
// Two card apps in one machine, as the device runs them: the card core behind
// the app's card wiring, the screen flow (AppFlow), the screen port laying
// every view out into its two 200x200 framebuffers (PanelScreen, as
// firmware/device/display.ts uses it; the panel itself only counts pushes,
// Poco and the e-paper driver are C), QR codes from a native-like encoder
// (answered by the Node parent, as Moddable's C qrcode module answers on a
// card), and the tap link as GATT values at the minimum MTU (23) through the
// fragment layer. Hashing on the device provider, as in bench-memory-ops.ts.
// Each card's NOR flash is in memory (the caller's sectors, in the chunk figures).
import { fromHex, toHex, usePrimitives } from '../../firmware/core/index.js';
import { requireDigestPrimitives } from '../../firmware/app/digest-primitives.js';
import type { QrEncoder } from '../../firmware/app/flow.js';
import { PanelScreen, type Panel } from '../../firmware/ui/panel-screen.js';
import { matrixFromModules } from '../../firmware/ui/qr.js';
import { World } from '../core/card-fixture.js';
import { ManualClock } from '../firmware/fakes.js';
import { LastViewScreen, askByTap, device, linkEnd, payByTap, payByTapNear, type Device } from '../firmware/app-fixture.js';
import { HostDigest } from './xs-digest.js';
import { live, xsGlobals as g, type XsMemory } from './memory-probe.js';

interface HostGlobals {
  issueCommand(req: ArrayBuffer): ArrayBuffer;
}
const host = globalThis as unknown as HostGlobals;

/** Level M, up to version 6, as firmware/device/qr.ts asks of the native module (answered by the Node parent). */
const hostQr: QrEncoder = {
  encode(text: string) {
    const req = Uint8Array.from(JSON.stringify({ op: 'qr', text }), (c) => c.charCodeAt(0));
    const answer = new Uint8Array(host.issueCommand(req.buffer));
    if (answer[0] !== 0) throw new Error(`host qr: ${String.fromCharCode(...answer.subarray(1))}`);
    return matrixFromModules(answer[1]!, answer.subarray(2));
  },
};

class CountingPanel implements Panel {
  pushes = 0;
  push(): void {
    this.pushes++;
  }
}

const ALLOWANCE = { payer: 100_00, payee: 0 } as const;
const SEED = { payer: 22, payee: 11 } as const;
const AMOUNT = 12_50;
const MIN_MTU = 23;

let world: World | undefined;
let clock: ManualClock | undefined;
const apps: Partial<Record<'payer' | 'payee', Device>> = {};
let paid = 0;

g.tallyCommands.memAppWorld = (msg): XsMemory => {
  usePrimitives(requireDigestPrimitives(HostDigest, 'host digest'));
  world = new World({ seed: 0x3e3, sectors: Number(msg.sectors), sectorBytes: Number(msg.sectorBytes) });
  clock = new ManualClock();
  return live();
};

/** A card and its app: keys, certificate, formatted ledger, booted, home screen drawn. */
g.tallyCommands.memApp = (msg): XsMemory => {
  if (!world || !clock) throw new Error('memAppWorld first');
  const name = String(msg.name);
  if (name !== 'payer' && name !== 'payee') throw new Error(`memApp: payer or payee, not ${name}`);
  apps[name] = device(world, clock, name, ALLOWANCE[name], SEED[name], { screen: new LastViewScreen(new PanelScreen(new CountingPanel())), qr: hostQr });
  return live();
};

/** A payment by tap through both apps (the first, then a repeat). */
g.tallyCommands.memAppPay = (): XsMemory => {
  const { payer, payee } = apps;
  if (!payer || !payee || !clock) throw new Error('memApp payer and payee first');
  const r = payByTap(payee, payer, clock, { amount: AMOUNT, mtu: MIN_MTU });
  paid += AMOUNT;
  const ok = (v: unknown): boolean => (v as { kind?: string; ok?: boolean } | undefined)?.kind === 'result' && (v as { ok: boolean }).ok;
  if (!ok(r.paid) || !ok(r.got) || !r.closed.payer || !r.closed.payee) throw new Error(`payment failed: ${JSON.stringify([r.paid, r.got, r.closed])}`);
  if (payer.card.booted!.status().spent !== paid) throw new Error('the payer ledger disagrees');
  return live();
};

// ---- One card app per machine (the split scenario of test/xs/bench-memory.ts) ----
// Each worker holds one card; the Node side relays the GATT values between
// the two workers and moves both clocks together, so each card's own peak is
// measured. The authority (memAppWorld, the same seed in both workers) is
// made before the heap is fixed: a card has none.

let end: ReturnType<typeof linkEnd> | undefined;

const only = (): Device => {
  const d = apps.payer ?? apps.payee;
  if (!d) throw new Error('memApp first');
  return d;
};

export interface SplitState {
  out: string[];
  view: string;
  ok: boolean | null;
  closed: boolean;
}

function state(d: Device): SplitState {
  const v = d.screen.last as { kind: string; ok?: boolean };
  return { out: end ? end.out.splice(0).map((v) => toHex(v)) : [], view: v.kind, ok: v.ok ?? null, closed: end?.closed() ?? false };
}

/** The payee asks for the amount by tap and accepts the payer's connection; answers its offer. */
g.tallyCommands.splitAsk = (msg): { offer: string } => {
  const d = only();
  askByTap(d, Number(msg.amount));
  const offer = d.radio.peripheral!.offerUri;
  end = linkEnd(d, MIN_MTU);
  return { offer };
};

/** The payer pays by tap, connected to the payee whose offer it read. */
g.tallyCommands.splitPay = (msg): SplitState => {
  const d = only();
  payByTapNear(d, 'payee');
  end = linkEnd(d, MIN_MTU, String(msg.offer));
  return state(d);
};

/** Delivers the peer's values, presses a button, moves the clock; answers what the card sent and shows. */
g.tallyCommands.splitStep = (msg): SplitState => {
  const d = only();
  for (const v of (msg.inbound as string[] | undefined) ?? []) end?.receive(fromHex(v));
  if (msg.press) d.press(msg.press as 'select');
  if (msg.advanceMs) clock!.advance(Number(msg.advanceMs));
  return state(d);
};

g.tallyCommands.splitStatus = (): { spent: number; received: number; mem: XsMemory } => {
  const s = only().card.booted!.status();
  return { spent: s.spent, received: s.received, mem: live() };
};
