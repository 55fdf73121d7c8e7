// The e-ink screen of a simulated card: a 200x200 1-bit framebuffer drawn by
// the firmware's own layout code (firmware/ui). Drawing is lazy: a view is
// kept until someone looks at the pixels (the payer's camera, a PNG, a test),
// so a long simulation pays nothing for screens nobody sees.
//
// Cards driven by the firmware app (device/app-device.ts) show the app's
// views. Cards in the scenario runner have no app: their core's views
// (CardView) are laid out by `viewOfCard`, which follows the app's screen
// flow (firmware/app/flow.ts) for the payment screens.
import type { CardView, Screen } from '../../firmware/core/index.js';
import type { QrEncoder } from '../../firmware/app/flow.js';
import { Framebuffer, RefreshPolicy, renderView, type View } from '../../firmware/ui/index.js';
import { framebufferPng } from './png.js';

export class EinkScreen implements Screen<View> {
  private view: View | undefined;
  private drawn = false;
  readonly fb = new Framebuffer();
  /** Every view shown, when recording (the demo's story). */
  readonly log: View[] | undefined;
  /** Full and partial refreshes the panel would have made (counted when pixels are drawn). */
  refreshes = { full: 0, partial: 0 };
  private readonly policy = new RefreshPolicy();
  private shown: Framebuffer | null = null;

  constructor(opts: { record?: boolean } = {}) {
    if (opts.record) this.log = [];
  }

  show(view: View): void {
    this.view = view;
    this.drawn = false;
    this.log?.push(view);
  }

  get current(): View | undefined {
    return this.view;
  }

  /** The pixels of the current view (drawn now if needed). */
  pixels(): Framebuffer {
    if (!this.drawn) {
      if (this.view) renderView(this.fb, this.view);
      else this.fb.clear();
      const plan = this.policy.plan(this.shown, this.fb, this.view?.kind === 'offer');
      if (plan.kind === 'full') this.refreshes.full++;
      else if (plan.kind === 'partial') this.refreshes.partial++;
      this.shown ??= new Framebuffer();
      this.shown.copyFrom(this.fb);
      this.drawn = true;
    }
    return this.fb;
  }

  png(scale = 1): Uint8Array {
    return framebufferPng(this.pixels(), scale);
  }
}

const WORKING: Record<string, string> = {
  connecting: 'Connecting...',
  paying: 'Paying...',
  retrying: 'Finishing an earlier payment...',
  crediting: 'Receiving...',
};
const STEP: Record<string, number> = { connecting: 1, paying: 2, retrying: 2, crediting: 3 };

/** The firmware screen for a card core view (as firmware/app/flow.ts lays out the payment screens). */
export function viewOfCard(v: CardView, qr: QrEncoder, title: string, role: 'payer' | 'payee'): View {
  switch (v.screen) {
    case 'home':
      return {
        kind: 'home',
        title,
        provisioned: v.currency !== '',
        ...(v.currency ? { available: { amount: v.available, currency: v.currency } } : {}),
        menu: ['Receive (QR)', 'Receive (tap)', 'Pay by tap', 'History'],
        selected: 0,
        hint: 'Up/Down: choose  Press: open',
      };
    case 'offer':
      return v.amount !== undefined
        ? { kind: 'offer', qr: qr.encode(v.uri), amount: v.amount, currency: v.currency }
        : { kind: 'offer', qr: qr.encode(v.uri), caption: v.mode === 'tap' ? 'Tap a card to pay' : 'Any amount' };
    case 'code':
      return { kind: 'confirm', amount: v.amount, currency: v.currency, code: v.code, hint: 'The payer checks this code' };
    case 'confirm':
      return {
        kind: 'confirm',
        amount: v.amount,
        currency: v.currency,
        ...(v.code !== undefined ? { code: v.code } : {}),
        counterparty: `card ${v.payee.slice(0, 8)}`,
        hint: v.pin ? 'Press: enter PIN  Hold: cancel' : 'Press: pay   Hold: cancel',
      };
    case 'working':
      return { kind: 'progress', title: role === 'payee' ? 'Receive' : 'Pay', text: WORKING[v.step] ?? 'Working...', step: STEP[v.step] ?? 0, steps: 4 };
    case 'done':
      return {
        kind: 'result',
        ok: true,
        title: v.role === 'payee' ? 'Received' : 'Paid',
        amount: v.amount,
        currency: v.currency,
        text: `${v.role === 'payee' ? 'from' : 'to'} card ${v.peer.slice(0, 8)}${v.recovered ? ' (earlier payment completed)' : ''}`,
        hint: 'Press: home',
      };
    case 'failed':
      return { kind: 'result', ok: false, title: 'Not paid', text: `E${v.code} ${v.message}`, hint: 'Press: home' };
    case 'locked':
      return { kind: 'error', code: 4011, message: `Too many attempts: wait ${Math.ceil(v.waitMs / 1000)} s`, hint: 'Press: home' };
  }
}

/**
 * A runner card's screen: keeps the core's last view and lays it out only
 * when the pixels are wanted (the QR encoding included).
 */
export class CardScreen {
  private last: CardView | undefined;
  private screen: EinkScreen | undefined;
  private dirty = false;

  constructor(
    private readonly qr: QrEncoder,
    private readonly title: string,
  ) {}

  role: 'payer' | 'payee' = 'payee';

  show(v: CardView): void {
    this.last = v;
    this.dirty = true;
  }

  get view(): CardView | undefined {
    return this.last;
  }

  pixels(): Framebuffer {
    this.screen ??= new EinkScreen();
    if (this.dirty && this.last) {
      this.screen.show(viewOfCard(this.last, this.qr, this.title, this.role));
      this.dirty = false;
    }
    return this.screen.pixels();
  }
}
