// The desktop build has no BLE: Moddable's simulator only stubs the BLE
// modules. The radio does nothing, so offers show their QR code and wait.
import type { OpenRadio } from './platform.js';

export const openRadio: OpenRadio = (_config, log) => ({
  startPeripheral(): void {
    log('radio: no BLE in this build');
  },
  startScan(): void {
    log('radio: no BLE in this build');
  },
  connect(): void {},
  stop(): void {},
});
