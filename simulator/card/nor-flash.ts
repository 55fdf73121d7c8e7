// Simulated NOR flash (the ESP32's SPI flash, as the ledger sees it): erase
// sets a 4 KiB sector to 0xFF, a write can only clear bits (the new byte is
// the AND of the old and the written one). The power can be cut between two
// operations or inside one: a write cut half-way leaves the first bytes
// programmed and one byte half-programmed; an erase cut half-way leaves half
// the sector erased. After a cut the flash refuses everything until the card
// "reboots" (a new Card opened on the same bytes).
//
// Sectors are allocated on first write, so a thousand cards with roomy
// ledgers cost only the memory they use. Portable: also runs inside XS.
import type { Flash } from '../../firmware/core/index.js';

/** Thrown by the flash when the power goes; the card that hit it is dead until rebooted. */
export class PowerCut extends Error {
  constructor() {
    super('power cut');
    this.name = 'PowerCut';
  }
}

/** Where inside a write the power goes. */
export type CutMode = 'before' | 'after' | 'torn' | 'torn-header';

export interface CutPlan {
  /** Cut at the n-th write from now (1-based), or at the n-th erase. */
  write?: number;
  erase?: number;
  mode?: CutMode;
}

export interface FlashStats {
  writes: number;
  bytesWritten: number;
  erases: number;
  cuts: number;
}

export class NorFlash implements Flash {
  readonly sectorBytes: number;
  readonly sizeBytes: number;
  private sectors: (Uint8Array | null)[];
  readonly stats: FlashStats = { writes: 0, bytesWritten: 0, erases: 0, cuts: 0 };
  dead = false;
  private plan: { write: number; erase: number; mode: CutMode } | undefined;

  constructor(sectorCount: number, sectorBytes = 4096, sectors?: (Uint8Array | null)[]) {
    if (!Number.isInteger(sectorCount) || sectorCount < 4) throw new RangeError(`flash: ${sectorCount} sectors`);
    this.sectorBytes = sectorBytes;
    this.sizeBytes = sectorCount * sectorBytes;
    this.sectors = sectors ?? new Array<Uint8Array | null>(sectorCount).fill(null);
  }

  // RawFlash (firmware/app/flash-region.ts) names, for the firmware app.
  get byteLength(): number {
    return this.sizeBytes;
  }
  get blockSize(): number {
    return this.sectorBytes;
  }
  erase(sector: number): void {
    this.eraseSector(sector);
  }

  /** Sectors holding anything (for memory accounting). */
  get usedSectors(): number {
    let n = 0;
    for (const s of this.sectors) if (s) n++;
    return n;
  }

  read(offset: number, length: number): Uint8Array {
    this.alive();
    this.range(offset, length);
    const out = new Uint8Array(length);
    let o = 0;
    while (o < length) {
      const at = offset + o;
      const si = Math.floor(at / this.sectorBytes);
      const within = at - si * this.sectorBytes;
      const n = Math.min(length - o, this.sectorBytes - within);
      const s = this.sectors[si];
      if (s) out.set(s.subarray(within, within + n), o);
      else out.fill(0xff, o, o + n);
      o += n;
    }
    return out;
  }

  write(offset: number, data: Uint8Array): void {
    this.alive();
    this.range(offset, data.length);
    this.stats.writes++;
    let upto = data.length;
    let torn = false;
    const p = this.plan;
    if (p && p.write > 0 && --p.write === 0) {
      this.plan = undefined;
      if (p.mode === 'before') return this.die();
      if (p.mode === 'torn') {
        upto = Math.floor(data.length / 2);
        torn = true;
      } else if (p.mode === 'torn-header') {
        upto = Math.min(3, Math.max(0, data.length - 1));
        torn = true;
      } else {
        this.program(offset, data, data.length);
        return this.die();
      }
    }
    this.program(offset, data, upto);
    if (torn) {
      // The byte being programmed when the power went: some of its bits only.
      if (upto < data.length) this.andByte(offset + upto, data[upto]! | 0xa5);
      this.die();
    }
  }

  eraseSector(sector: number): void {
    this.alive();
    if (!Number.isInteger(sector) || sector < 0 || sector >= this.sectors.length) throw new RangeError(`flash: sector ${sector}`);
    const p = this.plan;
    if (p && p.erase > 0 && --p.erase === 0) {
      this.plan = undefined;
      const s = this.sectors[sector];
      if (s) s.fill(0xff, 0, this.sectorBytes / 2);
      return this.die();
    }
    this.stats.erases++;
    this.sectors[sector] = null;
  }

  /** Arms a power cut at a later write or erase. */
  armCut(plan: CutPlan): void {
    this.plan = { write: plan.write ?? 0, erase: plan.erase ?? 0, mode: plan.mode ?? 'torn' };
  }

  disarm(): void {
    this.plan = undefined;
  }

  /** Power back on: same bytes, the armed cut forgotten. */
  powerOn(): void {
    this.dead = false;
    this.plan = undefined;
  }

  /** A byte-for-byte copy (what a cloner reads out of a card's flash chip). */
  copy(): NorFlash {
    return new NorFlash(this.sectors.length, this.sectorBytes, this.sectors.map((s) => (s ? s.slice() : null)));
  }

  private program(offset: number, data: Uint8Array, upto: number): void {
    for (let i = 0; i < upto; ) {
      const at = offset + i;
      const si = Math.floor(at / this.sectorBytes);
      const within = at - si * this.sectorBytes;
      const n = Math.min(upto - i, this.sectorBytes - within);
      const s = this.sector(si);
      for (let k = 0; k < n; k++) s[within + k]! &= data[i + k]!;
      i += n;
    }
    this.stats.bytesWritten += upto;
  }

  private andByte(at: number, v: number): void {
    const si = Math.floor(at / this.sectorBytes);
    this.sector(si)[at - si * this.sectorBytes]! &= v;
  }

  private sector(si: number): Uint8Array {
    let s = this.sectors[si];
    if (!s) {
      s = new Uint8Array(this.sectorBytes).fill(0xff);
      this.sectors[si] = s;
    }
    return s;
  }

  private range(offset: number, length: number): void {
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > this.sizeBytes) {
      throw new RangeError(`flash: ${offset}+${length} outside 0..${this.sizeBytes}`);
    }
  }

  private alive(): void {
    if (this.dead) throw new PowerCut();
  }

  private die(): never {
    this.dead = true;
    this.stats.cuts++;
    throw new PowerCut();
  }
}
