// The ledger's flash region, as the core's Flash port (NOR semantics: erase
// sets a sector to 0xFF, a write can only clear bits).
//
// On the ESP32 the region is a data partition opened with Moddable's `flash`
// module, whose hardware already behaves like NOR. On the desktop there is no
// flash, so `NorEmulation` gives a file the same semantics. Both check every
// offset: a bad one is a coded error (9001), never a write somewhere else.
import { tallyError, type Flash } from '../core/index.js';

/** The raw device: Moddable's flash partition object, or the desktop file adapter. */
export interface RawFlash {
  readonly byteLength: number;
  /** Erase unit in bytes (4096 on the ESP32). */
  readonly blockSize: number;
  read(offset: number, length: number): Uint8Array;
  write(offset: number, data: Uint8Array): void;
  erase(sector: number): void;
}

export class FlashRegion implements Flash {
  readonly sizeBytes: number;
  readonly sectorBytes: number;

  constructor(private readonly raw: RawFlash) {
    const sector = raw.blockSize;
    if (!Number.isInteger(sector) || sector < 256 || (sector & (sector - 1)) !== 0) throw tallyError(9001, `flash sector size ${sector}`);
    if (!Number.isInteger(raw.byteLength) || raw.byteLength < sector) throw tallyError(9001, `flash region of ${raw.byteLength} bytes`);
    this.sectorBytes = sector;
    this.sizeBytes = raw.byteLength - (raw.byteLength % sector);
  }

  read(offset: number, length: number): Uint8Array {
    this.check(offset, length);
    if (length === 0) return new Uint8Array(0);
    return this.raw.read(offset, length);
  }

  write(offset: number, data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) throw tallyError(9001, 'flash write: expected bytes');
    this.check(offset, data.length);
    if (data.length) this.raw.write(offset, data);
  }

  eraseSector(sector: number): void {
    if (!Number.isInteger(sector) || sector < 0 || sector >= this.sizeBytes / this.sectorBytes) {
      throw tallyError(9001, `flash sector ${sector} outside 0..${this.sizeBytes / this.sectorBytes - 1}`);
    }
    this.raw.erase(sector);
  }

  private check(offset: number, length: number): void {
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > this.sizeBytes) {
      throw tallyError(9001, `flash range ${offset}+${length} outside 0..${this.sizeBytes}`);
    }
  }
}

/** Plain byte storage (a file): reads and overwrites anything. */
export interface ByteStore {
  readonly byteLength: number;
  read(offset: number, length: number): Uint8Array;
  overwrite(offset: number, data: Uint8Array): void;
}

/** NOR flash behaviour on plain storage: writes AND into what is there, erase fills 0xFF. */
export class NorEmulation implements RawFlash {
  constructor(
    private readonly store: ByteStore,
    readonly blockSize = 4096,
  ) {}

  get byteLength(): number {
    return this.store.byteLength;
  }

  read(offset: number, length: number): Uint8Array {
    return this.store.read(offset, length);
  }

  write(offset: number, data: Uint8Array): void {
    const old = this.store.read(offset, data.length);
    const next = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) next[i] = old[i]! & data[i]!;
    this.store.overwrite(offset, next);
  }

  erase(sector: number): void {
    this.store.overwrite(sector * this.blockSize, new Uint8Array(this.blockSize).fill(0xff));
  }
}
