// The screen through Poco (commodetto) on the display the Moddable setup
// created from the manifest's config.screen: on the M5Stack CoreInk the
// GDEW0154M09 e-paper driver; on the desktop the simulator's screen.
//
// Views are laid out into the 1-bit framebuffer (firmware/ui, the same code
// the simulator runs); Poco draws it with drawMonochrome, which takes our
// bytes as they are (commodetto's Bitmap.Monochrome layout). The GDEW0154M09
// driver works in Gray256 and dithers to 1 bit; we switch its dithering off
// since every pixel is already pure black or white. A full refresh is asked
// for with the driver's configure({refresh: true}); otherwise it updates in
// its fast partial mode.
//
// Poco and the panel are used through the small interfaces below rather than
// the SDK's typings, which lack Poco's rectangle() and describe adaptInvalid's
// argument differently; these are all this module relies on.
import Bitmap from 'commodetto/Bitmap';
import Poco from 'commodetto/Poco';
import type { Framebuffer, Rect } from '../ui/framebuffer.js';
import { PanelScreen, type Panel } from '../ui/panel-screen.js';
import type { OpenScreen } from './platform.js';

/** Poco's native rectangle; adaptInvalid() changes it in place. */
interface PocoArea {
  x: number;
  y: number;
  w: number;
  h: number;
}

interface PocoApi {
  rectangle(x: number, y: number, w: number, h: number): PocoArea;
  adaptInvalid(area: PocoArea): void;
  begin(x: number, y: number, w: number, h: number): void;
  end(): void;
  makeColor(r: number, g: number, b: number): number;
  fillRectangle(color: number, x: number, y: number, w: number, h: number): void;
  drawMonochrome(bits: object, fore: number, back: number, x: number, y: number): void;
  readonly width: number;
  readonly height: number;
}

/** The screen object (a PixelsOut) as far as this module uses it. */
interface ScreenApi {
  readonly width: number;
  readonly height: number;
  /** The CoreInk's e-paper driver (gdew0154m09.js); other displays do not have it. */
  configure?(options: { refresh?: boolean; dither?: boolean }): void;
}

export class PocoPanel implements Panel {
  private readonly poco: PocoApi;
  private readonly black: number;
  private readonly white: number;
  private first = true;

  constructor(private readonly screen: ScreenApi) {
    screen.configure?.({ dither: false });
    this.poco = new Poco(screen as unknown as ConstructorParameters<typeof Poco>[0]) as unknown as PocoApi;
    this.black = this.poco.makeColor(0, 0, 0);
    this.white = this.poco.makeColor(255, 255, 255);
  }

  push(fb: Framebuffer, kind: 'full' | 'partial', area: Rect): void {
    if (kind === 'full') this.screen.configure?.({ refresh: true });
    const poco = this.poco;
    // The panel driver may only update some areas (the GDEW0154M09 driver
    // always sends the whole 200x200 picture): let it widen the area first.
    const a = poco.rectangle(area.x, area.y, area.w, area.h);
    poco.adaptInvalid(a);
    poco.begin(a.x, a.y, a.w, a.h);
    if (this.first && (poco.width > fb.width || poco.height > fb.height)) {
      // A larger screen (the desktop simulator): blank around the 200x200 picture once.
      poco.fillRectangle(this.white, 0, 0, poco.width, poco.height);
    }
    poco.drawMonochrome(new Bitmap(fb.width, fb.height, Bitmap.Monochrome, fb.bits.buffer as ArrayBuffer, 0), this.black, this.white, 0, 0);
    poco.end();
    this.first = false;
  }
}

/** The screen Moddable's setup created from the manifest's config.screen (a global), or null. */
export const openScreen: OpenScreen = (_config, log) => {
  const screen = (globalThis as unknown as { screen?: ScreenApi }).screen;
  if (!screen) {
    log('no screen: the manifest configures none');
    return null;
  }
  return new PanelScreen(new PocoPanel(screen), { onFault: (e) => log(`screen: ${e instanceof Error ? e.message : String(e)}`) });
};
