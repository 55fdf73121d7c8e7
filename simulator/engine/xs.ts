// Cards whose core runs inside the XS engine: one xsnap worker per card
// (test/xs's harness: prelude, then the shipped core bundle
// build/xs/tally-core.js, then this simulator's card bundle), driven by JSON
// commands. Each call reports the computrons the card spent (XS's
// deterministic meter), the figure the report gives per payment.
import { existsSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromBase64url, tallyError, toBase64url } from '../../firmware/core/index.js';
import type { Effects, HostStatus } from '../card/host.js';
import type { CutPlan } from '../card/nor-flash.js';
import type { CardDriver, CardSpec, Step } from './driver.js';
import type { WireEffects } from './xs-entry.js';

// This file runs as build/simulator/engine/xs.js.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const BUNDLE = 'tally-sim-card.js';
const bundleFile = join(root, 'build/xs', BUNDLE);
const entry = join(root, 'simulator/engine/xs-entry.ts');
const coreDir = join(root, 'firmware/core');

interface Harness {
  call<T>(op: string, args?: Record<string, unknown>): Promise<{ value: T }>;
  close(): Promise<void>;
}

/** Builds build/xs/tally-sim-card.js when it is missing or older than its sources. */
export async function ensureXsBundle(): Promise<void> {
  const sources = [entry, join(root, 'simulator/card/host.ts'), join(root, 'simulator/card/nor-flash.ts'), join(root, 'simulator/random.ts')];
  if (!sources.every((s) => existsSync(s))) throw tallyError(8004, `the simulator's sources are not in ${root}`);
  if (existsSync(bundleFile)) {
    const built = statSync(bundleFile).mtimeMs;
    if (sources.every((s) => statSync(s).mtimeMs <= built) && statSync(join(root, 'build/xs/tally-core.js')).mtimeMs <= built) return;
  }
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    throw tallyError(8004, 'esbuild is not installed (a development dependency: run npm ci)');
  }
  if (!existsSync(join(root, 'build/xs/tally-core.js'))) throw tallyError(8004, 'build/xs/tally-core.js is missing: run npm run build');
  // Imports of the card core go to the core bundle the worker already holds (as in scripts/build-core.mjs).
  const redirect: import('esbuild').Plugin = {
    name: 'tally-core-redirect',
    setup(build) {
      build.onResolve({ filter: /^\.{0,2}\// }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        const abs = resolve(args.resolveDir, args.path);
        if (abs !== coreDir && !abs.startsWith(coreDir + sep)) return undefined;
        const rel = relative(coreDir, abs).split(sep).join('/');
        if (rel !== 'index.js' && rel !== 'index.ts' && rel !== 'index') return { errors: [{ text: `${args.path}: only the core's index may be imported` }] };
        return { path: 'globalThis.TallyCore', namespace: 'tally-core' };
      });
      build.onLoad({ filter: /.*/, namespace: 'tally-core' }, () => ({ contents: 'module.exports = globalThis.TallyCore;\n', loader: 'js' }));
    },
  };
  await esbuild.build({
    entryPoints: [entry],
    outfile: bundleFile,
    bundle: true,
    format: 'iife',
    platform: 'neutral',
    target: 'es2022',
    supported: { 'class-field': false, 'class-static-field': false },
    keepNames: true,
    logLevel: 'error',
    plugins: [redirect],
  });
}

async function startHarness(): Promise<Harness> {
  let mod: { XsHarness: { start(extra: string[]): Promise<Harness> } };
  try {
    mod = (await import('../../test/xs/harness.js')) as unknown as typeof mod;
  } catch (e) {
    throw tallyError(8004, `the XS harness is not built (${e instanceof Error ? e.message : String(e)})`);
  }
  try {
    return await mod.XsHarness.start([BUNDLE]);
  } catch (e) {
    throw tallyError(8004, `cannot start an XS worker: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
}

const fromWire = (w: WireEffects): Effects => ({ ...w, sent: w.sent.map((s) => fromBase64url(s)) });

export class XsCard implements CardDriver {
  readonly engine = 'xs' as const;
  private isDead = false;
  /** Computrons of every call, for the totals. */
  computrons = 0;

  private constructor(
    private readonly xs: Harness,
    private readonly spec: CardSpec,
  ) {}

  static async start(spec: CardSpec, from?: { keys: string; flash: (string | null)[] }): Promise<XsCard> {
    await ensureXsBundle();
    const xs = await startHarness();
    const c = new XsCard(xs, spec);
    try {
      await c.call('init', {
        seed: spec.seed,
        sectors: spec.sectors,
        authorities: spec.authorities.map((k) => toBase64url(k)),
        firmware: spec.firmware,
        ...(spec.bleAddress ? { bleAddress: toBase64url(spec.bleAddress) } : {}),
        ...(spec.pin !== undefined ? { pin: spec.pin } : {}),
        ...(from ?? {}),
      });
    } catch (e) {
      await xs.close();
      throw e;
    }
    return c;
  }

  get dead(): boolean {
    return this.isDead;
  }

  private async call<T>(method: string, args: Record<string, unknown> = {}): Promise<{ value: T; computrons: number }> {
    const r = (await this.xs.call<{ value: T; computrons: number }>('simCard', { method, args })).value;
    this.computrons += r.computrons;
    return r;
  }

  private async step(method: string, args: Record<string, unknown>): Promise<Step> {
    const r = await this.call<WireEffects>(method, args);
    this.isDead = r.value.dead;
    return { effects: fromWire(r.value), cost: { computrons: r.computrons } };
  }

  async serial(now: number, bytes: Uint8Array): Promise<Uint8Array> {
    const r = await this.call<string>('serial', { now, bytes: toBase64url(bytes) });
    this.isDead = (await this.call<boolean>('dead')).value;
    return fromBase64url(r.value);
  }
  async receive(now: number, req: { amount?: number; mode: 'qr' | 'tap' }): Promise<Step & { uri?: string }> {
    const r = await this.call<{ uri?: string; effects: WireEffects }>('receive', { now, req });
    this.isDead = r.value.effects.dead;
    return { effects: fromWire(r.value.effects), cost: { computrons: r.computrons }, ...(r.value.uri !== undefined ? { uri: r.value.uri } : {}) };
  }
  pay(now: number, uri: string, req: { amount?: number; mode: 'qr' | 'tap' }): Promise<Step> {
    return this.step('pay', { now, uri, req });
  }
  deliver(now: number, bytes: Uint8Array): Promise<Step> {
    return this.step('deliver', { now, bytes: toBase64url(bytes) });
  }
  confirm(now: number, answer: { accept: boolean; pin?: string }): Promise<Step> {
    return this.step('confirm', { now, answer });
  }
  linkClosed(now: number): Promise<Step> {
    return this.step('linkClosed', { now });
  }
  cancel(now: number): Promise<Step> {
    return this.step('cancel', { now });
  }
  home(now: number): Promise<Step> {
    return this.step('home', { now });
  }
  async status(): Promise<HostStatus | undefined> {
    return (await this.call<HostStatus | null>('status')).value ?? undefined;
  }
  async history(offset: number, limit: number) {
    return (await this.call<{ entries: import('../../firmware/core/index.js').HistoryItem[]; total: number }>('history', { offset, limit })).value;
  }
  async armCut(plan: CutPlan): Promise<void> {
    await this.call('armCut', { plan });
  }
  async disarm(): Promise<void> {
    await this.call('disarm');
  }
  async reboot(now: number): Promise<void> {
    await this.call('reboot', { now });
    this.isDead = false;
  }
  async clone(seed: string): Promise<CardDriver> {
    const snap = (await this.call<{ keys: string; flash: (string | null)[] } | null>('snapshot')).value;
    if (!snap) throw new Error('a blank card has nothing to clone');
    return XsCard.start({ ...this.spec, seed }, snap);
  }
  close(): Promise<void> {
    return this.xs.close();
  }
}

