// The card app: buttons, screen flow, radio and card, put together from the
// ports a device (or the simulator) provides. Nothing here knows Moddable.
import type { Random, Screen, Tick } from '../core/index.js';
import type { View } from '../ui/views.js';
import { ButtonDecoder, type ButtonId, type ButtonOptions } from './buttons.js';
import type { CardPort } from './card-port.js';
import { createCard, type KeyStore } from './card-wiring.js';
import { FlashRegion, type RawFlash } from './flash-region.js';
import { AppFlow, type FlowConfig, type QrEncoder } from './flow.js';
import type { Radio } from './radio.js';
import type { ByteStream } from './serial.js';
import type { Timers } from './timers.js';

export interface DevicePorts {
  screen: Screen<View>;
  radio: Radio;
  timers: Timers;
  tick: Tick;
  random: Random;
  qr: QrEncoder;
  /** The ledger's raw flash (a data partition, or a file on the desktop); null if there is none. */
  flash: RawFlash | null;
  /** Where the card's secret keys live (NVS preferences on the ESP32); null if there is none. */
  keyStore: KeyStore | null;
  /** Ed25519 public keys of the authorities the card trusts. */
  authorities: Uint8Array[];
  /** Firmware name and version for the serial `info` command. */
  firmware: string;
  /** The serial channel to the bridge; null if there is none (a debug build owns the UART). */
  serial: ByteStream | null;
  /** Diagnostics sink; never given secrets. */
  log?: (line: string) => void;
}

export interface AppConfig {
  flow?: FlowConfig;
  buttons?: ButtonOptions;
}

export interface RunningApp {
  flow: AppFlow;
  card: CardPort;
  /** Feed raw button edges here (level already converted: true = pressed). */
  edge(button: ButtonId, pressed: boolean): void;
}

export function startApp(d: DevicePorts, config: AppConfig = {}): RunningApp {
  let flow: AppFlow | null = null;
  const card = createCard({
    flash: d.flash ? new FlashRegion(d.flash) : null,
    keyStore: d.keyStore,
    authorities: d.authorities,
    firmware: d.firmware,
    bleAddress: () => d.radio.localAddress?.() ?? null,
    random: d.random,
    tick: d.tick,
    serial: d.serial,
    ...(d.log ? { log: d.log } : {}),
    listener: {
      show: (view) => flow?.show(view),
      request: (req) => flow?.request(req),
    },
  });
  const ports = { screen: d.screen, card, radio: d.radio, timers: d.timers, tick: d.tick, qr: d.qr, ...(d.log ? { log: d.log } : {}) };
  const f = new AppFlow(ports, config.flow);
  flow = f;
  const buttons = new ButtonDecoder(d.timers, (e) => f.button(e), { repeat: ['up', 'down'], ...config.buttons });
  f.start();
  return { flow: f, card, edge: (button, pressed) => buttons.edge(button, pressed) };
}
