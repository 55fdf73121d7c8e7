// When to use a full e-paper refresh and when a partial one.
//
// A full refresh flashes the panel black and white and clears ghosting; it is
// slow (about 2 s on the CoreInk's GDEW0154M09) and tiring to watch. A partial
// refresh only drives the changed pixels with a short waveform (about 0.3 s)
// but leaves faint ghosts that add up. So: partial refreshes for small
// changes (a digit of the amount being edited, a moved menu highlight, a
// countdown), a full one for a new QR code (a phone camera must read it, so
// no ghosts), after many partial ones in a row, or when most of the screen
// changes anyway.
import type { Framebuffer, Rect } from './framebuffer.js';

export type RefreshKind = 'none' | 'partial' | 'full';

export interface RefreshPlan {
  kind: RefreshKind;
  /** The changed area, x aligned to whole bytes (8 pixels); the whole screen for a full refresh. */
  area: Rect | null;
}

export interface RefreshOptions {
  /** Force a full refresh after this many partial ones in a row (default 10). */
  maxPartials?: number;
  /** A change covering at least this fraction of the screen refreshes fully (default 0.6). */
  fullAreaFraction?: number;
}

export class RefreshPolicy {
  private partials = 0;
  private readonly maxPartials: number;
  private readonly fullAreaFraction: number;

  constructor(options: RefreshOptions = {}) {
    this.maxPartials = options.maxPartials ?? 10;
    this.fullAreaFraction = options.fullAreaFraction ?? 0.6;
  }

  /**
   * Plans the refresh from `shown` (what the panel shows now, or null after
   * power-up) to `next`. `crisp` asks for a ghost-free picture (a QR code).
   */
  plan(shown: Framebuffer | null, next: Framebuffer, crisp = false): RefreshPlan {
    const whole = { x: 0, y: 0, w: next.width, h: next.height };
    if (!shown) return this.full(whole);
    const area = next.diff(shown);
    if (!area) return { kind: 'none', area: null };
    if (crisp || this.partials >= this.maxPartials) return this.full(whole);
    if (area.w * area.h >= this.fullAreaFraction * next.width * next.height) return this.full(whole);
    this.partials++;
    return { kind: 'partial', area };
  }

  /** Partial refreshes since the last full one. */
  get partialCount(): number {
    return this.partials;
  }

  private full(whole: Rect): RefreshPlan {
    this.partials = 0;
    return { kind: 'full', area: whole };
  }
}
