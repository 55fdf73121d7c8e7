// Cards whose core runs in the simulator's own V8, called directly.
import { CardHost, type Effects } from '../card/host.js';
import type { CutPlan } from '../card/nor-flash.js';
import { zeroOps, type OpCounts, type SimCrypto } from '../world/crypto.js';
import type { CardDriver, CardSpec, Step } from './driver.js';

export class V8Card implements CardDriver {
  readonly engine = 'v8' as const;
  readonly host: CardHost;

  constructor(
    private readonly spec: CardSpec,
    private readonly crypto: SimCrypto,
    host?: CardHost,
  ) {
    this.host = host ?? new CardHost(spec);
  }

  get dead(): boolean {
    return this.host.dead;
  }

  /** Runs `fn` with the primitive meter pointed at a fresh count for this call. */
  private metered<T>(fn: () => T): { value: T; ops: OpCounts } {
    const ops = zeroOps();
    const prev = this.crypto.meter;
    this.crypto.meter = ops;
    try {
      return { value: fn(), ops };
    } finally {
      this.crypto.meter = prev;
    }
  }

  private step(fn: () => Effects): Promise<Step> {
    const r = this.metered(fn);
    return Promise.resolve({ effects: r.value, cost: { ops: r.ops } });
  }

  serial(now: number, bytes: Uint8Array): Promise<Uint8Array> {
    return Promise.resolve(this.metered(() => this.host.serial(now, bytes)).value);
  }
  receive(now: number, req: { amount?: number; mode: 'qr' | 'tap' }): Promise<Step & { uri?: string }> {
    const r = this.metered(() => this.host.receive(now, req));
    return Promise.resolve({ effects: r.value.effects, cost: { ops: r.ops }, ...(r.value.uri !== undefined ? { uri: r.value.uri } : {}) });
  }
  pay(now: number, uri: string, req: { amount?: number; mode: 'qr' | 'tap' }): Promise<Step> {
    return this.step(() => this.host.pay(now, uri, req));
  }
  deliver(now: number, bytes: Uint8Array): Promise<Step> {
    return this.step(() => this.host.deliver(now, bytes));
  }
  confirm(now: number, answer: { accept: boolean; pin?: string }): Promise<Step> {
    return this.step(() => this.host.confirm(now, answer));
  }
  linkClosed(now: number): Promise<Step> {
    return this.step(() => this.host.linkClosed(now));
  }
  cancel(now: number): Promise<Step> {
    return this.step(() => this.host.cancel(now));
  }
  home(now: number): Promise<Step> {
    return this.step(() => this.host.home(now));
  }
  status() {
    return Promise.resolve(this.host.status());
  }
  history(offset: number, limit: number) {
    return Promise.resolve(this.host.history(offset, limit));
  }
  armCut(plan: CutPlan): Promise<void> {
    this.host.armCut(plan);
    return Promise.resolve();
  }
  disarm(): Promise<void> {
    this.host.disarm();
    return Promise.resolve();
  }
  reboot(now: number): Promise<void> {
    this.metered(() => this.host.reboot(now));
    return Promise.resolve();
  }
  clone(seed: string): Promise<CardDriver> {
    const snap = this.host.snapshot();
    if (!snap) throw new Error('a blank card has nothing to clone');
    const spec = { ...this.spec, seed };
    return Promise.resolve(new V8Card(spec, this.crypto, new CardHost(spec, snap)));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}
