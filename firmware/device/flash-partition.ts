// The ledger's flash on the ESP32: the data partition the manifest's
// partition table declares (PARTITIONS_FILE), opened by its label with
// Moddable's `flash` module. SPI NOR flash: erase sets a 4 KiB sector to 0xFF,
// a write clears bits.
import Flash from 'flash';
import { tallyError } from '../core/index.js';
import type { RawFlash } from '../app/flash-region.js';
import type { OpenLedgerFlash } from './platform.js';

export const openLedgerFlash: OpenLedgerFlash = (config): RawFlash => {
  const label = config.ledgerPartition;
  if (!label) throw tallyError(5004, 'no ledger partition in the manifest config');
  let f: Flash;
  try {
    f = new Flash(label);
  } catch {
    throw tallyError(5004, `no '${label}' partition: flash the firmware with its partition table`);
  }
  return {
    byteLength: f.byteLength,
    blockSize: f.blockSize,
    // The SDK types read() as ArrayBuffer | HostBuffer (HostBuffer only when
    // asked for with useHostBuffer, which we never pass).
    read: (offset, length) => new Uint8Array(f.read(offset, length) as ArrayBuffer),
    write: (offset, data) => f.write(offset, data.length, data.slice().buffer),
    erase: (sector) => f.erase(sector),
  };
};
