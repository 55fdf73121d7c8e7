// The card firmware's entry point (the manifest's creation.main).
//
// The first import installs TextEncoder and TextDecoder as globals, which the
// card core uses at run time. (The core's bundle and the app and UI modules
// are preloaded on the boards: the XS linker evaluates them at build time,
// before any of this runs, so they create no encoder or decoder while they
// load; test/xs/preload.test.ts loads them without those globals.)
import './globals.js';
import { openButtons } from 'tally/device/buttons';
import { openLedgerFlash } from 'tally/device/ledger-flash';
import { openPrimitives } from 'tally/device/primitives';
import { openRadio } from 'tally/device/radio';
import { openScreen } from 'tally/device/screen';
import { usePrimitives } from '../core/index.js';
import { startApp } from '../app/app.js';
import type { RawFlash } from '../app/flash-region.js';
import { asCoded } from '../app/flow.js';
import { deviceConfig } from './config.js';
import { keyStore } from './keystore.js';
import { nativeQr } from './qr.js';
import { random } from './random.js';
import { openSerial } from './serial.js';
import { tick, timers } from './timers.js';

/** Diagnostics go to the debugger console (xsbug) or the simulator's console; never secrets. */
function log(line: string): void {
  if (!deviceConfig.log) return;
  const t = (globalThis as unknown as { trace?: (s: string) => void }).trace;
  t?.(`tally: ${line}\n`);
}

export default function main(): void {
  // Before any key is made or checked: hashing on the SDK's native digest.
  // If it fails its self-test (2008) the card fails closed: no ledger, so no
  // keys are loaded, made or used, and the screen shows the error.
  let failure: { code: number; message: string } | null = null;
  try {
    usePrimitives(openPrimitives(log));
  } catch (e) {
    failure = asCoded(e);
    log(`primitives: E${failure.code}`);
  }
  const screen = openScreen(deviceConfig, log);
  if (!screen) return;
  let flash: RawFlash | null = null;
  if (!failure) {
    try {
      flash = openLedgerFlash(deviceConfig);
    } catch (e) {
      failure = asCoded(e);
      log(`ledger flash: E${failure.code}`);
    }
  }
  const app = startApp(
    {
      screen,
      radio: openRadio(deviceConfig, log),
      timers,
      tick,
      random,
      qr: nativeQr,
      flash,
      keyStore,
      authorities: deviceConfig.authorities,
      firmware: deviceConfig.firmware,
      serial: openSerial(deviceConfig, log),
      log,
    },
    { flow: { deviceName: deviceConfig.deviceName, tap: { minRssi: deviceConfig.tapRssi } } },
  );
  if (failure) app.flow.fail(failure);
  else if (deviceConfig.authorities.length === 0) log('no trusted authority key in this build: provisioning will be refused');
  openButtons(deviceConfig, (button, pressed) => app.edge(button, pressed));
}
