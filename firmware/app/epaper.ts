// A 200x200 SPI e-paper panel with the Solomon SSD1681 controller (GoodDisplay
// GDEY0154D67, the Waveshare 1.54" V2 module and their clones): the display of
// the generic ESP32 board build. This is the panel's command sequence only,
// portable and unit-tested; firmware/device/screen-ssd1681.ts connects it to
// the SPI bus and GPIO pins (ECMA-419 embedded:io), and decides nothing.
//
// The controller holds two pictures: RAM 0x24 (what to show) and RAM 0x26
// (what the panel shows now). A full update (0x22 = 0xF7) drives every pixel
// through the flashing waveform; a partial update (0x22 = 0xFF, "display mode
// 2") drives only the pixels where the two RAMs differ, with a short waveform
// and no flashing. After each update both RAMs hold the new picture, so the
// next partial update compares against what is really on the glass.
//
// In controller RAM a set bit is white; in our framebuffer a set bit is ink,
// so every byte is inverted on the way out.
import { tallyError } from '../core/index.js';
import type { Framebuffer } from '../ui/framebuffer.js';
import type { RefreshKind } from '../ui/refresh.js';

/** What the driver needs from the hardware. */
export interface EpaperBus {
  /** Sends a command byte (D/C low), then its data bytes (D/C high), with chip select around both. */
  command(cmd: number, data?: Uint8Array): void;
  /** Pulses the reset line (low, then high) and waits for the controller to come up. */
  reset(): void;
  /** The BUSY line: true while the controller is working. */
  busy(): boolean;
  /** Milliseconds, monotonic (Date.now on the device). */
  now(): number;
}

export const EPAPER_WIDTH = 200;
export const EPAPER_HEIGHT = 200;
const ROW_BYTES = EPAPER_WIDTH >> 3;

export const Cmd = {
  DRIVER_OUTPUT: 0x01,
  SOFT_RESET: 0x12,
  DATA_ENTRY: 0x11,
  RAM_X: 0x44,
  RAM_Y: 0x45,
  BORDER: 0x3c,
  TEMPERATURE_SENSOR: 0x18,
  RAM_X_COUNTER: 0x4e,
  RAM_Y_COUNTER: 0x4f,
  WRITE_BW: 0x24,
  WRITE_PREVIOUS: 0x26,
  UPDATE_CONTROL_2: 0x22,
  MASTER_ACTIVATION: 0x20,
  DEEP_SLEEP: 0x10,
} as const;

/** 0x22 sequences: load the temperature and the OTP waveform, show, power down. */
export const UPDATE_FULL = 0xf7;
export const UPDATE_PARTIAL = 0xff;

/**
 * A fault of the panel itself (it stayed busy: missing, unpowered or
 * miswired). Not an input error, so it has no code of the error table; the
 * device logs it, since the screen cannot show it.
 */
export class EpaperError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EpaperError';
  }
}

export interface Ssd1681Options {
  /** How long one update may keep BUSY high before it counts as a failure (default 5000 ms). */
  busyTimeoutMs?: number;
}

export class Ssd1681 {
  private ready = false;
  private readonly out = new Uint8Array(ROW_BYTES * EPAPER_HEIGHT);
  private readonly busyTimeoutMs: number;

  constructor(private readonly bus: EpaperBus, options: Ssd1681Options = {}) {
    this.busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  }

  /** Hardware and software reset, then the panel geometry: 200 lines, X then Y incrementing. */
  init(): void {
    const bus = this.bus;
    bus.reset();
    this.waitIdle();
    bus.command(Cmd.SOFT_RESET);
    this.waitIdle();
    bus.command(Cmd.DRIVER_OUTPUT, Uint8Array.of((EPAPER_HEIGHT - 1) & 0xff, (EPAPER_HEIGHT - 1) >> 8, 0x00));
    bus.command(Cmd.DATA_ENTRY, Uint8Array.of(0x03));
    bus.command(Cmd.RAM_X, Uint8Array.of(0x00, ROW_BYTES - 1));
    bus.command(Cmd.RAM_Y, Uint8Array.of(0x00, 0x00, (EPAPER_HEIGHT - 1) & 0xff, (EPAPER_HEIGHT - 1) >> 8));
    bus.command(Cmd.BORDER, Uint8Array.of(0x05));
    bus.command(Cmd.TEMPERATURE_SENSOR, Uint8Array.of(0x80)); // the internal sensor
    this.waitIdle();
    this.ready = true;
  }

  /** Shows `fb` (200x200) with a full or a partial update. */
  show(fb: Framebuffer, kind: Exclude<RefreshKind, 'none'>): void {
    if (fb.width !== EPAPER_WIDTH || fb.height !== EPAPER_HEIGHT) throw tallyError(9001, `e-paper: a ${fb.width}x${fb.height} picture`);
    if (!this.ready) this.init();
    const out = this.out;
    const bits = fb.bits;
    for (let i = 0; i < out.length; i++) out[i] = ~bits[i]! & 0xff;
    const bus = this.bus;
    if (kind === 'full') {
      this.writeRam(Cmd.WRITE_BW, out);
      this.writeRam(Cmd.WRITE_PREVIOUS, out);
      bus.command(Cmd.BORDER, Uint8Array.of(0x05));
      this.update(UPDATE_FULL);
    } else {
      bus.command(Cmd.BORDER, Uint8Array.of(0x80)); // keep the border as it is
      this.writeRam(Cmd.WRITE_BW, out);
      this.update(UPDATE_PARTIAL);
      this.writeRam(Cmd.WRITE_PREVIOUS, out);
    }
  }

  private writeRam(cmd: number, data: Uint8Array): void {
    this.bus.command(Cmd.RAM_X_COUNTER, Uint8Array.of(0x00));
    this.bus.command(Cmd.RAM_Y_COUNTER, Uint8Array.of(0x00, 0x00));
    this.bus.command(cmd, data);
  }

  private update(sequence: number): void {
    this.bus.command(Cmd.UPDATE_CONTROL_2, Uint8Array.of(sequence));
    this.bus.command(Cmd.MASTER_ACTIVATION);
    this.waitIdle();
  }

  private waitIdle(): void {
    const bus = this.bus;
    const until = bus.now() + this.busyTimeoutMs;
    while (bus.busy()) {
      if (bus.now() > until) {
        // The controller may be wedged: start from a reset next time.
        this.ready = false;
        throw new EpaperError('e-paper: the panel stayed busy (check its power and wiring)');
      }
    }
  }
}
