// The device's settings, from the manifest's `config` object (module
// mc/config). Platform differences live in the manifests only: the code reads
// the same keys everywhere and passes the values on.
import config from 'mc/config';
import { fromHex } from '../core/index.js';
import type { ButtonId } from '../app/buttons.js';

export interface ButtonPin {
  id: ButtonId;
  pin: number;
  /** The pin reads 0 while the button is pressed (pull-up to 3.3 V, button to ground). */
  activeLow: boolean;
}

/** GPIO wiring of an SSD1681 e-paper module (generic ESP32 board). */
export interface EpaperPins {
  /** SPI clock (SCK) and data out (MOSI / DIN) pins, SPI host (ESP32: 1 HSPI, 2 VSPI) and clock rate. */
  clock: number;
  out: number;
  port?: number;
  hz?: number;
  /** Chip select, data/command, reset, busy. */
  select: number;
  dc: number;
  reset: number;
  busy: number;
}

export interface DeviceConfig {
  /** BLE device name while advertising. */
  deviceName: string;
  /** ESP32: the ledger's data partition label. */
  ledgerPartition?: string;
  /** Desktop: the file that stands in for the ledger partition, and its size. */
  ledgerFile?: string;
  ledgerFileBytes?: number;
  /** Options for embedded:io/serial (ESP32: port, receive, transmit; desktop: device), plus baud. */
  serial?: Record<string, unknown> & { baud: number };
  buttons: ButtonPin[];
  /** The SPI e-paper module's pins (generic ESP32 board only). */
  epaper?: EpaperPins;
  /** Weakest RSSI, dBm, at which a payee counts as tapped. */
  tapRssi: number;
  /** Ed25519 public keys (32 bytes) of the authorities the card trusts. */
  authorities: Uint8Array[];
  /** Firmware name and version, reported over serial. */
  firmware: string;
  /**
   * Write diagnostics with trace(). Off on the boards' release builds: there
   * trace() writes to UART 0, the bridge's serial line. A debug build
   * (firmware.mjs --debug: config `tallyLog=1`) sends them to xsbug.
   */
  log: boolean;
}

const all = config as Record<string, unknown>;
const raw = (all.tally ?? {}) as Partial<Omit<DeviceConfig, 'authorities'>> & { authorities?: unknown };

/**
 * Authority keys as hex: config.tally.authorities (an array), or a top-level
 * `authorities` string of comma-separated keys, which is what a command-line
 * override gives (`mcconfig ... authorities=<hex>,<hex>`, see scripts/firmware.mjs).
 */
function authorityKeys(): Uint8Array[] {
  const list: unknown[] = [];
  if (Array.isArray(raw.authorities)) list.push(...raw.authorities);
  if (typeof all.authorities === 'string') list.push(...all.authorities.split(','));
  const out: Uint8Array[] = [];
  for (const item of list) {
    const h = typeof item === 'string' ? item.trim().toLowerCase() : '';
    if (/^[0-9a-f]{64}$/.test(h)) out.push(fromHex(h));
  }
  return out;
}

/**
 * The serial port's options: config.tally.serial, or on the desktop a tty
 * named by the top-level `serialDevice` override (`mcconfig ...
 * serialDevice=/dev/pts/3`, see scripts/firmware.mjs --serial-device).
 */
function serialOptions(): { serial?: DeviceConfig['serial'] } {
  if (typeof all.serialDevice === 'string' && /^\/[\w./-]+$/.test(all.serialDevice)) return { serial: { device: all.serialDevice, baud: 115200 } };
  if (raw.serial && typeof raw.serial === 'object' && typeof raw.serial.baud === 'number') return { serial: raw.serial };
  return {};
}

function epaperPins(p: unknown): boolean {
  if (!p || typeof p !== 'object') return false;
  const o = p as Record<string, unknown>;
  return ['clock', 'out', 'select', 'dc', 'reset', 'busy'].every((k) => Number.isInteger(o[k]));
}

export const deviceConfig: DeviceConfig = {
  deviceName: typeof raw.deviceName === 'string' ? raw.deviceName : 'Tally',
  ...(typeof raw.ledgerPartition === 'string' ? { ledgerPartition: raw.ledgerPartition } : {}),
  ...(typeof raw.ledgerFile === 'string' && raw.ledgerFile ? { ledgerFile: raw.ledgerFile } : {}),
  ...(typeof raw.ledgerFileBytes === 'number' ? { ledgerFileBytes: raw.ledgerFileBytes } : {}),
  ...serialOptions(),
  buttons: Array.isArray(raw.buttons) ? raw.buttons : [],
  ...(epaperPins(raw.epaper) ? { epaper: raw.epaper as EpaperPins } : {}),
  tapRssi: typeof raw.tapRssi === 'number' ? raw.tapRssi : -50,
  authorities: authorityKeys(),
  firmware: typeof raw.firmware === 'string' && /^[\x20-\x7e]{1,64}$/.test(raw.firmware) ? raw.firmware : 'tally-card',
  log: raw.log === true || all.tallyLog === '1',
};
