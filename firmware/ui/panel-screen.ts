// The screen port (core `Screen<View>`) over any 200x200 1-bit panel: lays
// the view out into a framebuffer, asks RefreshPolicy whether the change
// wants a full or a partial refresh, and hands the picture to the panel.
// Two framebuffers: the one the panel shows, and the one the next view is
// drawn into, so the change between them is known without reading the panel.
import { Framebuffer, SCREEN_HEIGHT, SCREEN_WIDTH, type Rect } from './framebuffer.js';
import { RefreshPolicy, type RefreshOptions } from './refresh.js';
import { renderView, type View } from './views.js';

/** A display the picture goes to (the CoreInk's panel through Poco, an SSD1681 panel, the simulator). */
export interface Panel {
  /**
   * Shows `fb`. `area` is where it differs from the previous picture (the
   * whole screen for a full refresh); a panel may redraw more than that.
   */
  push(fb: Framebuffer, kind: 'full' | 'partial', area: Rect): void;
}

export interface PanelScreenOptions extends RefreshOptions {
  /** Told when the panel fails (the screen port itself never throws: the app goes on without a picture). */
  onFault?: (error: unknown) => void;
}

export class PanelScreen {
  private next = new Framebuffer(SCREEN_WIDTH, SCREEN_HEIGHT);
  private shown: Framebuffer | null = null;
  private spare = new Framebuffer(SCREEN_WIDTH, SCREEN_HEIGHT);
  private readonly policy: RefreshPolicy;
  private readonly onFault: ((error: unknown) => void) | undefined;

  constructor(private readonly panel: Panel, options: PanelScreenOptions = {}) {
    this.policy = new RefreshPolicy(options);
    this.onFault = options.onFault;
  }

  show(view: View): void {
    const fb = this.next;
    renderView(fb, view);
    // A QR code must be crisp for a phone camera: no ghosts of the last screen.
    const plan = this.policy.plan(this.shown, fb, view.kind === 'offer');
    if (plan.kind === 'none' || !plan.area) return;
    try {
      this.panel.push(fb, plan.kind, plan.area);
    } catch (e) {
      // Unknown what the panel shows now: the next view gets a full refresh.
      this.shown = null;
      this.onFault?.(e);
      return;
    }
    const previous = this.shown ?? this.spare;
    this.shown = fb;
    this.next = previous === fb ? this.spare : previous;
  }

  /** What the panel shows now (null before the first view). */
  get picture(): Framebuffer | null {
    return this.shown;
  }

  /** Forgets what the panel shows, so the next view gets a full refresh (after the panel was reset). */
  invalidate(): void {
    this.shown = null;
  }
}
