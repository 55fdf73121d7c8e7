// NOR flash backed by a file, for a virtual card: erase sets a sector to
// 0xFF, a write can only clear bits (the new byte is the AND of old and new),
// exactly like the ESP32's SPI flash. Every change goes to the file at once
// (write-through), so killing the process loses nothing already written.
import { closeSync, existsSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import type { Flash } from '../../firmware/core/index.js';

export const SECTOR_BYTES = 4096;

export class FileFlash implements Flash {
  readonly sectorBytes = SECTOR_BYTES;
  readonly sizeBytes: number;
  private readonly data: Uint8Array;
  private fd: number;

  private constructor(fd: number, data: Uint8Array) {
    this.fd = fd;
    this.data = data;
    this.sizeBytes = data.length;
  }

  /** Opens an image, creating it erased (all 0xFF) with `sizeBytes` when missing. */
  static open(path: string, sizeBytes: number): FileFlash {
    if (!Number.isInteger(sizeBytes) || sizeBytes <= 0 || sizeBytes % SECTOR_BYTES !== 0) throw new RangeError(`flash size ${sizeBytes}: a multiple of ${SECTOR_BYTES}`);
    const fresh = !existsSync(path);
    const fd = openSync(path, fresh ? 'w+' : 'r+', 0o600);
    let data: Uint8Array;
    if (fresh) {
      data = new Uint8Array(sizeBytes).fill(0xff);
      writeSync(fd, data, 0, data.length, 0);
    } else {
      const size = fstatSync(fd).size;
      if (size % SECTOR_BYTES !== 0 || size === 0) {
        closeSync(fd);
        throw new RangeError(`${path}: ${size} bytes is not a flash image`);
      }
      data = new Uint8Array(size);
      readSync(fd, data, 0, size, 0);
    }
    return new FileFlash(fd, data);
  }

  read(offset: number, length: number): Uint8Array {
    this.check(offset, length);
    return this.data.slice(offset, offset + length);
  }

  write(offset: number, bytes: Uint8Array): void {
    this.check(offset, bytes.length);
    for (let i = 0; i < bytes.length; i++) this.data[offset + i]! &= bytes[i]!;
    writeSync(this.fd, this.data, offset, bytes.length, offset);
  }

  eraseSector(sector: number): void {
    if (!Number.isInteger(sector) || sector < 0 || sector >= this.sizeBytes / SECTOR_BYTES) throw new RangeError(`sector ${sector}`);
    const o = sector * SECTOR_BYTES;
    this.data.fill(0xff, o, o + SECTOR_BYTES);
    writeSync(this.fd, this.data, o, SECTOR_BYTES, o);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private check(offset: number, length: number): void {
    if (this.fd < 0) throw new Error('flash closed');
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > this.sizeBytes) throw new RangeError(`flash ${offset}+${length}`);
  }
}
