// The ledger's append-only log on NOR flash (the Flash port): sectors of
// framed JSON entries.
//
// NOR rules: erasing sets a whole sector to 0xFF; a write can only clear bits.
// So the log never rewrites anything in place: it appends frames, and frees
// space only by erasing whole sectors at compaction.
//
// Sector (docs/protocol.md, "Flash layout"):
//   0..4    'TLG1'
//   4..8    sector sequence number, u32 LE (the log's order across sectors)
//   8..12   anchor seq, u32 LE: the chain head before this sector's first record
//   12..44  anchor hash (32 bytes)
//   44..48  CRC-32 of bytes 0..44, u32 LE
//   48..    frames, then 0xFF to the end
// Frame:
//   0       0xA5
//   1..5    CRC-32 of bytes 5..end, u32 LE (the length and the JSON)
//   5..7    JSON length n, u16 LE
//   7..7+n  the entry, UTF-8 JSON
//
// A frame counts when its CRC matches. A write cut by a power loss leaves
// unprogrammed (0xFF) or half-programmed bytes, so its CRC fails and it is
// dropped; frames before it are untouched. The first bad frame ends its
// sector for good: the next append starts a new sector, so nothing is ever
// written after garbage and a reader never has to resynchronise.
import { fromUtf8 } from '../bytes.js';
import { crc32 } from '../crc32.js';
import { ArgumentError, fail } from '../errors.js';
import type { Flash } from '../ports.js';

export const SECTOR_HEADER_BYTES = 48;
export const FRAME_HEADER_BYTES = 7;
const FRAME_MAGIC = 0xa5;
const SECTOR_MAGIC = [0x54, 0x4c, 0x47, 0x31]; // 'TLG1'
/** Sectors kept free for sync (the ack record and compaction's carried-forward notes). */
export const RESERVED_SECTORS = 2;
/** Smallest ledger region, in sectors. */
export const MIN_SECTORS = 4;

export interface Anchor {
  seq: number;
  hash: Uint8Array;
}

export interface LogFrame {
  /** Index of the sector (0-based, in flash order) holding the frame. */
  sector: number;
  /** Offset of the frame in the sector. */
  offset: number;
  text: string;
}

export interface LogSector {
  index: number;
  seq: number;
  anchor: Anchor;
  frames: LogFrame[];
  /** Offset after the last good frame. */
  end: number;
  /** True when bytes after `end` are not erased (a torn write): nothing more goes here. */
  closed: boolean;
}

export interface FlashStats {
  writes: number;
  bytesWritten: number;
  erases: number;
}

const u32le = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
function putU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 255;
  b[o + 1] = (v >>> 8) & 255;
  b[o + 2] = (v >>> 16) & 255;
  b[o + 3] = (v >>> 24) & 255;
}

function allErased(b: Uint8Array, from: number): boolean {
  for (let i = from; i < b.length; i++) if (b[i] !== 0xff) return false;
  return true;
}

export class FlashLog {
  readonly flash: Flash;
  readonly sectorBytes: number;
  readonly sectorCount: number;
  /** Sectors in use, in log order (ascending sector sequence number). */
  readonly sectors: LogSector[] = [];
  /** Counters of what this log did to the flash since it was opened. */
  readonly stats: FlashStats = { writes: 0, bytesWritten: 0, erases: 0 };

  private constructor(flash: Flash) {
    const sb = flash.sectorBytes;
    if (!Number.isInteger(sb) || sb < 1024 || sb > 65536 || !Number.isInteger(flash.sizeBytes) || flash.sizeBytes % sb !== 0) {
      fail(5004, `region of ${String(flash.sizeBytes)} bytes in sectors of ${String(sb)}`);
    }
    if (flash.sizeBytes / sb < MIN_SECTORS) fail(5004, `at least ${MIN_SECTORS} sectors`);
    this.flash = flash;
    this.sectorBytes = sb;
    this.sectorCount = flash.sizeBytes / sb;
  }

  /** Reads the whole region and recovers the log: every complete frame, in order. */
  static open(flash: Flash): FlashLog {
    const log = new FlashLog(flash);
    const found: { sector: LogSector; data: Uint8Array }[] = [];
    for (let i = 0; i < log.sectorCount; i++) {
      const head = flash.read(i * log.sectorBytes, SECTOR_HEADER_BYTES);
      const h = parseSectorHeader(head);
      if (!h) continue;
      const data = flash.read(i * log.sectorBytes, log.sectorBytes);
      found.push({ sector: { index: i, seq: h.seq, anchor: h.anchor, frames: [], end: SECTOR_HEADER_BYTES, closed: false }, data });
    }
    found.sort((a, b) => a.sector.seq - b.sector.seq);
    for (let k = 0; k < found.length; k++) {
      const { sector, data } = found[k]!;
      if (k > 0 && sector.seq !== found[k - 1]!.sector.seq + 1) fail(5003, `sector sequence jumps from ${found[k - 1]!.sector.seq} to ${sector.seq}`);
      let pos = SECTOR_HEADER_BYTES;
      let bad = false;
      while (pos + FRAME_HEADER_BYTES <= data.length) {
        if (data[pos] === 0xff) break;
        if (data[pos] !== FRAME_MAGIC) {
          bad = true;
          break;
        }
        const n = data[pos + 5]! | (data[pos + 6]! << 8);
        const end = pos + FRAME_HEADER_BYTES + n;
        if (n === 0 || end > data.length || crc32(data, pos + 5, end) !== u32le(data, pos + 1)) {
          bad = true;
          break;
        }
        let text: string;
        try {
          text = fromUtf8(data.subarray(pos + FRAME_HEADER_BYTES, end));
        } catch {
          return fail(5001, `frame at sector ${sector.index} offset ${pos} is not UTF-8`);
        }
        sector.frames.push({ sector: sector.index, offset: pos, text });
        pos = end;
      }
      sector.end = pos;
      sector.closed = bad || !allErased(data, pos);
      log.sectors.push(sector);
    }
    return log;
  }

  /** Every recovered or appended frame, in log order. */
  *frames(): Generator<LogFrame> {
    for (const s of this.sectors) yield* s.frames;
  }

  private get last(): LogSector | undefined {
    return this.sectors[this.sectors.length - 1];
  }

  private freeSectors(): number {
    return this.sectorCount - this.sectors.length;
  }

  /** Bytes of a frame holding `text` (ASCII JSON). */
  static frameBytes(text: string): number {
    return FRAME_HEADER_BYTES + text.length;
  }

  /** Largest entry a frame can hold. */
  get maxEntryBytes(): number {
    return Math.min(65535, this.sectorBytes - SECTOR_HEADER_BYTES - FRAME_HEADER_BYTES);
  }

  /**
   * Whether frames of these sizes (frameBytes) can be appended in order.
   * Without `useReserve`, RESERVED_SECTORS sectors must stay free afterwards
   * (kept for sync: the ack record and compaction).
   */
  fits(frameSizes: number[], useReserve = false): boolean {
    let free = this.freeSectors();
    const last = this.last;
    let room = last && !last.closed ? this.sectorBytes - last.end : -1;
    for (const n of frameSizes) {
      if (n > this.sectorBytes - SECTOR_HEADER_BYTES) return false;
      if (room >= n) {
        room -= n;
        continue;
      }
      free--;
      room = this.sectorBytes - SECTOR_HEADER_BYTES - n;
    }
    return free >= (useReserve ? 0 : RESERVED_SECTORS);
  }

  /** Index of the sector a frame of `size` bytes would be written to now, or -1 when it opens a new sector. */
  sectorFor(size: number): number {
    const last = this.last;
    return last && !last.closed && this.sectorBytes - last.end >= size ? last.index : -1;
  }

  /**
   * Appends one entry as one flash write (with the header of a new sector
   * when it opens one). `anchor` is the chain head before this entry, written
   * into a new sector's header. Throws 5002 when there is no room.
   */
  append(text: string, anchor: Anchor, useReserve = false): LogFrame {
    const json = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c > 127) throw new ArgumentError('entry', 'ASCII JSON');
      json[i] = c;
    }
    const n = json.length;
    if (n === 0 || n > this.maxEntryBytes) fail(5001, `entry of ${n} bytes`);
    const size = FRAME_HEADER_BYTES + n;
    if (!this.fits([size], useReserve)) fail(5002, `${size} bytes`);
    let last = this.last;
    let newSector: LogSector | undefined;
    if (!last || last.closed || this.sectorBytes - last.end < size) {
      newSector = this.openSector(anchor);
      last = newSector;
    }
    const pre = newSector ? SECTOR_HEADER_BYTES : 0;
    const buf = new Uint8Array(pre + size);
    if (newSector) buf.set(sectorHeader(newSector.seq, anchor), 0);
    buf[pre] = FRAME_MAGIC;
    buf[pre + 5] = n & 255;
    buf[pre + 6] = n >> 8;
    buf.set(json, pre + FRAME_HEADER_BYTES);
    putU32(buf, pre + 1, crc32(buf, pre + 5, buf.length));
    const offset = last.end;
    const at = last.index * this.sectorBytes + (newSector ? 0 : offset);
    // The new sector joins the log only once its header is on flash: if the
    // write is cut, a reboot finds a header-less or closed sector, never a gap.
    this.write(at, buf);
    if (newSector) this.sectors.push(newSector);
    const frame: LogFrame = { sector: last.index, offset, text };
    last.frames.push(frame);
    last.end = offset + size;
    return frame;
  }

  /** Erases the oldest sector of the log (compaction). */
  eraseOldest(): LogSector {
    const s = this.sectors[0];
    if (!s || this.sectors.length < 2) return fail(5004, 'the log has no sector to spare');
    this.flash.eraseSector(s.index);
    this.stats.erases++;
    this.sectors.shift();
    return s;
  }

  private openSector(anchor: Anchor): LogSector {
    const last = this.last;
    const used = new Set(this.sectors.map((s) => s.index));
    let index = last ? last.index : this.sectorCount - 1;
    do index = (index + 1) % this.sectorCount;
    while (used.has(index));
    // A sector that is not in use should be erased; one left dirty by a cut
    // write or erase is erased now (the only erase outside compaction).
    const data = this.flash.read(index * this.sectorBytes, this.sectorBytes);
    if (!allErased(data, 0)) {
      this.flash.eraseSector(index);
      this.stats.erases++;
    }
    const seq = last ? (last.seq + 1) >>> 0 : 1;
    return { index, seq, anchor: { seq: anchor.seq, hash: anchor.hash.slice() }, frames: [], end: SECTOR_HEADER_BYTES, closed: false };
  }

  private write(offset: number, data: Uint8Array): void {
    this.flash.write(offset, data);
    this.stats.writes++;
    this.stats.bytesWritten += data.length;
  }
}

function sectorHeader(seq: number, anchor: Anchor): Uint8Array {
  const h = new Uint8Array(SECTOR_HEADER_BYTES);
  h.set(SECTOR_MAGIC, 0);
  putU32(h, 4, seq);
  putU32(h, 8, anchor.seq);
  h.set(anchor.hash, 12);
  putU32(h, 44, crc32(h, 0, 44));
  return h;
}

function parseSectorHeader(h: Uint8Array): { seq: number; anchor: Anchor } | undefined {
  for (let i = 0; i < 4; i++) if (h[i] !== SECTOR_MAGIC[i]) return undefined;
  if (crc32(h, 0, 44) !== u32le(h, 44)) return undefined;
  return { seq: u32le(h, 4), anchor: { seq: u32le(h, 8), hash: h.slice(12, 44) } };
}
