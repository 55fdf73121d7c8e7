// What the platform-specific device modules export. Each manifest maps the
// specifiers below to one implementation (ESP32 or desktop); both
// implementations are typed against these signatures, so swapping them in a
// manifest cannot break the code that imports them.
//
//   tally/device/ledger-flash   flash-partition.ts (ESP32) | flash-file.ts (desktop)
//   tally/device/radio          ble.ts (ESP32)             | radio-none.ts (desktop)
//   tally/device/buttons        buttons.ts (ESP32)         | buttons-none.ts (desktop)
//   tally/device/screen         display.ts (CoreInk, desktop: Poco on the configured screen)
//                               | screen-ssd1681.ts (generic ESP32 board: SPI e-paper)
//   tally/device/primitives     primitives-moddable.ts (every target: hashing on the SDK's native Digest)
import type { Primitives } from '../core/index.js';
import type { ButtonId } from '../app/buttons.js';
import type { RawFlash } from '../app/flash-region.js';
import type { Radio } from '../app/radio.js';
import type { PanelScreen } from '../ui/panel-screen.js';
import type { DeviceConfig } from './config.js';

export type OpenLedgerFlash = (config: DeviceConfig) => RawFlash;
export type OpenRadio = (config: DeviceConfig, log: (line: string) => void) => Radio;
export type OpenButtons = (config: DeviceConfig, edge: (button: ButtonId, pressed: boolean) => void) => { close(): void };
export type OpenScreen = (config: DeviceConfig, log: (line: string) => void) => PanelScreen | null;
/** The hashing provider; throws 2008 when the native digest fails its known-answer test. */
export type OpenPrimitives = (log: (line: string) => void) => Primitives;
