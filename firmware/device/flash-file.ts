// The ledger's "flash" on the desktop build: a file of the partition's size,
// given NOR semantics (writes AND, erase fills 0xFF) by NorEmulation. Path and
// size come from the manifest's config.
import { File } from 'file';
import { tallyError } from '../core/index.js';
import { NorEmulation, type ByteStore, type RawFlash } from '../app/flash-region.js';
import type { OpenLedgerFlash } from './platform.js';

const SECTOR = 4096;

export const openLedgerFlash: OpenLedgerFlash = (config): RawFlash => {
  const path = config.ledgerFile;
  const size = config.ledgerFileBytes ?? 0;
  if (!path || !Number.isInteger(size) || size < SECTOR || size % SECTOR) throw tallyError(5004, 'ledger file path or size missing from the manifest config');
  let file: File;
  try {
    file = new File(path, true);
  } catch {
    throw tallyError(5004, `cannot open the ledger file ${path}`);
  }
  const had = file.length;
  if (had < size) {
    // A new (or short) file: erased flash is all ones.
    file.position = had;
    const chunk = new Uint8Array(SECTOR).fill(0xff);
    for (let at = had; at < size; at += SECTOR) file.write(chunk.slice(0, Math.min(SECTOR, size - at)).buffer);
    // Reopen: some SDK versions create a missing file in append mode ("ab+"),
    // where every write lands at the end; an existing file opens "rb+".
    file.close();
    file = new File(path, true);
  }
  const store: ByteStore = {
    byteLength: size,
    read(offset, length) {
      file.position = offset;
      return new Uint8Array(file.read(ArrayBuffer, length));
    },
    overwrite(offset, data) {
      file.position = offset;
      file.write(data.slice().buffer);
    },
  };
  return new NorEmulation(store, SECTOR);
};
