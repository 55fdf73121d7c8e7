// Inside an XS worker (xsnap, the engine the firmware runs on): one simulated
// card (card/host.ts) behind a JSON command, `simCard`. Bundled by
// engine/xs.ts with esbuild; imports of the card core resolve to the shipped
// core bundle already loaded in the worker (globalThis.TallyCore), exactly as
// the XS tests do. Bytes travel as base64url text.
//
// Each call is metered here, around the card's own work only (not the JSON
// of the command): `computrons` is what the card spent.
import { fromBase64url, toBase64url } from '../../firmware/core/index.js';
import { CardHost, type Effects } from '../card/host.js';
import { NorFlash, type CutPlan } from '../card/nor-flash.js';

interface XsGlobals {
  resetMeter?: (limit: number, index: number) => number;
  currentMeterLimit?: () => number;
  tallyCommands: Record<string, (msg: Record<string, unknown>) => unknown>;
}
const g = globalThis as unknown as XsGlobals;

function meter(): number {
  if (typeof g.resetMeter !== 'function' || typeof g.currentMeterLimit !== 'function') return 0;
  return g.resetMeter(g.currentMeterLimit(), 0) >>> 0;
}

const b = (s: unknown): Uint8Array => fromBase64url(String(s));
const t = (x: Uint8Array): string => toBase64url(x);

let host: CardHost | undefined;

export interface WireEffects extends Omit<Effects, 'sent'> {
  sent: string[];
}
const wire = (e: Effects): WireEffects => ({ ...e, sent: e.sent.map(t) });

function need(): CardHost {
  if (!host) throw new Error('simCard: no card (call init first)');
  return host;
}

/** Runs `fn` metered: { value, computrons }. */
function metered<T>(fn: () => T): { value: T; computrons: number } {
  meter();
  const value = fn();
  return { value, computrons: meter() };
}

g.tallyCommands.simCard = (msg) => {
  const a = (msg.args ?? {}) as Record<string, unknown>;
  const now = Number(a.now ?? 0);
  switch (msg.method) {
    case 'init': {
      const spec = {
        seed: String(a.seed),
        sectors: Number(a.sectors),
        authorities: (a.authorities as string[]).map(b),
        firmware: String(a.firmware),
        ...(a.bleAddress ? { bleAddress: b(a.bleAddress) } : {}),
        ...(a.pin !== undefined ? { pin: String(a.pin) } : {}),
      };
      let from: { keys: Uint8Array; flash: NorFlash } | undefined;
      if (a.keys) {
        const sectors = (a.flash as (string | null)[]).map((s) => (s === null ? null : b(s)));
        from = { keys: b(a.keys), flash: new NorFlash(sectors.length, 4096, sectors) };
      }
      return metered(() => {
        host = new CardHost(spec, from);
        return true;
      });
    }
    case 'serial':
      return metered(() => t(need().serial(now, b(a.bytes))));
    case 'receive':
      return metered(() => {
        const r = need().receive(now, a.req as { amount?: number; mode: 'qr' | 'tap' });
        return { ...(r.uri !== undefined ? { uri: r.uri } : {}), effects: wire(r.effects) };
      });
    case 'pay':
      return metered(() => wire(need().pay(now, String(a.uri), a.req as { amount?: number; mode: 'qr' | 'tap' })));
    case 'deliver':
      return metered(() => wire(need().deliver(now, b(a.bytes))));
    case 'confirm':
      return metered(() => wire(need().confirm(now, a.answer as { accept: boolean; pin?: string })));
    case 'linkClosed':
      return metered(() => wire(need().linkClosed(now)));
    case 'cancel':
      return metered(() => wire(need().cancel(now)));
    case 'home':
      return metered(() => wire(need().home(now)));
    case 'status':
      return { value: need().status() ?? null, computrons: 0 };
    case 'history':
      return { value: need().history(Number(a.offset), Number(a.limit)), computrons: 0 };
    case 'armCut':
      need().armCut(a.plan as CutPlan);
      return { value: true, computrons: 0 };
    case 'disarm':
      need().disarm();
      return { value: true, computrons: 0 };
    case 'reboot':
      return metered(() => {
        need().reboot(now);
        return true;
      });
    case 'dead':
      return { value: need().dead, computrons: 0 };
    case 'snapshot': {
      const s = need().snapshot();
      if (!s) return { value: null, computrons: 0 };
      const sectors: (string | null)[] = [];
      for (let i = 0; i < s.flash.sizeBytes / s.flash.sectorBytes; i++) {
        const bytes = s.flash.read(i * s.flash.sectorBytes, s.flash.sectorBytes);
        let erased = true;
        for (let k = 0; k < bytes.length && erased; k++) erased = bytes[k] === 0xff;
        sectors.push(erased ? null : t(bytes));
      }
      return { value: { keys: t(s.keys), flash: sectors }, computrons: 0 };
    }
    default:
      throw new Error(`simCard: unknown method ${String(msg.method)}`);
  }
};
