// The USB serial channel to the bridge: ECMA-419 `embedded:io/serial` on the
// UART the USB bridge chip is wired to (ESP32: UART 0, pins 1 and 3; desktop:
// a tty device such as one end of a socat pseudo-terminal pair). The options
// come from the manifest's config, unchanged. Bytes only: framing and
// commands belong to the core's serial protocol.
import Serial from 'embedded:io/serial';
import { SerialPump } from '../app/serial.js';
import type { DeviceConfig } from './config.js';

export function openSerial(config: DeviceConfig, log: (line: string) => void): SerialPump | null {
  if (!config.serial) return null;
  let port: Serial | undefined;
  const pump = new SerialPump((chunk) => port?.write(chunk.slice().buffer));
  const options = {
    ...config.serial,
    format: 'buffer',
    onReadable: (): void => {
      const bytes = port?.read();
      if (bytes instanceof ArrayBuffer) pump.received(new Uint8Array(bytes));
    },
    onWritable: (count: number): void => pump.writable(count),
  };
  try {
    port = new Serial(options as unknown as ConstructorParameters<typeof Serial>[0]);
  } catch (e) {
    // UART 0 is the app's only in a release build of a current SDK. A debug or
    // instrumented (-i) build keeps it for xsbug or the ESP-IDF console, and older
    // SDKs hold it in every build ("port in use"): docs/firmware-sdk-checks.md.
    log(`serial unavailable: ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
  return pump;
}
