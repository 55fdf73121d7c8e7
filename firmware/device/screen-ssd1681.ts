// The screen of the generic ESP32 board build: a 200x200 SPI e-paper module
// with the SSD1681 controller (GoodDisplay GDEY0154D67, Waveshare 1.54" V2),
// wired to the pins the manifest's config.tally.epaper lists. The command
// sequence lives in firmware/app/epaper.ts; this module only moves bytes over
// ECMA-419 embedded:io SPI and GPIO. No Poco here: the 1-bit framebuffer is
// already in the panel's format (inverted), so it goes out as it is.
import Digital from 'embedded:io/digital';
import SPI from 'embedded:io/spi';
import Timer from 'timer';
import { Ssd1681, type EpaperBus } from '../app/epaper.js';
import type { Framebuffer, Rect } from '../ui/framebuffer.js';
import { PanelScreen, type Panel } from '../ui/panel-screen.js';
import type { EpaperPins } from './config.js';
import type { OpenScreen } from './platform.js';

function openBus(pins: EpaperPins): EpaperBus {
  const spi = new SPI({ clock: pins.clock, out: pins.out, hz: pins.hz ?? 4_000_000, mode: 0, ...(pins.port !== undefined ? { port: pins.port } : {}) });
  const select = new Digital({ pin: pins.select, mode: Digital.Output });
  const dc = new Digital({ pin: pins.dc, mode: Digital.Output });
  const reset = new Digital({ pin: pins.reset, mode: Digital.Output });
  const busy = new Digital({ pin: pins.busy, mode: Digital.Input });
  select.write(1);
  dc.write(1);
  reset.write(1);
  const one = new Uint8Array(1);
  return {
    command(cmd: number, data?: Uint8Array): void {
      select.write(0);
      dc.write(0);
      one[0] = cmd;
      spi.write(one);
      if (data && data.length) {
        dc.write(1);
        spi.write(data);
      }
      select.write(1);
    },
    reset(): void {
      reset.write(0);
      Timer.delay(10);
      reset.write(1);
      Timer.delay(10);
    },
    busy: () => busy.read() === 1,
    now: () => Date.now(),
  };
}

class Ssd1681Panel implements Panel {
  constructor(private readonly panel: Ssd1681) {}
  push(fb: Framebuffer, kind: 'full' | 'partial', _area: Rect): void {
    // The controller takes whole pictures; it only drives the pixels that
    // changed in a partial update anyway.
    this.panel.show(fb, kind);
  }
}

export const openScreen: OpenScreen = (config, log) => {
  const pins = config.epaper;
  if (!pins) {
    log('no e-paper pins in the manifest config');
    return null;
  }
  const panel = new Ssd1681(openBus(pins));
  return new PanelScreen(new Ssd1681Panel(panel), { onFault: (e) => log(`screen: ${e instanceof Error ? e.message : String(e)}`) });
};
