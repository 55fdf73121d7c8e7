// The ESP32 flash layout: an ESP-IDF partition table (CSV) with a data
// partition for the ledger. The manifests point mcconfig at the CSV
// (PARTITIONS_FILE); this module reads and checks it, so a bad table fails a
// unit test, not a card in the field.
//
//   # Name,   Type, SubType, Offset,   Size
//   nvs,      data, nvs,     0x9000,   0x6000
//   ...
//   tally,    data, 0x40,    0x310000, 0xF0000
import { tallyError } from '../core/index.js';

/** Label of the ledger's data partition; the flash adapter opens it by this name. */
export const LEDGER_PARTITION = 'tally';
/** Custom data subtypes are 0x40..0xFE in ESP-IDF. */
export const LEDGER_SUBTYPE = 0x40;
export const SECTOR_BYTES = 0x1000;
/** The partition table itself lives at 0x8000 and takes one sector; partitions start after it. */
export const FIRST_OFFSET = 0x9000;
/** A ledger smaller than this cannot hold a useful history and room to compact. */
export const MIN_LEDGER_SECTORS = 32;

export interface Partition {
  name: string;
  type: 'app' | 'data';
  /** Subtype as written (nvs, phy, factory, ota_0, 0x40, ...). */
  subtype: string;
  offset: number;
  size: number;
}

const SUBTYPES = {
  app: ['factory', 'test', ...Array.from({ length: 16 }, (_, i) => `ota_${i}`)],
  data: ['ota', 'phy', 'nvs', 'coredump', 'nvs_keys', 'efuse', 'undefined', 'esphttpd', 'fat', 'spiffs', 'littlefs'],
};

/** "0x1000", "4096", "64K", "1M" -> bytes. */
export function parseSize(text: string): number {
  const t = text.trim();
  const m = /^(0x[0-9a-fA-F]+|[0-9]+)([KkMm]?)$/.exec(t);
  if (!m) throw tallyError(1012, `partition size or offset '${t}'`);
  const n = m[1]!.startsWith('0x') ? parseInt(m[1]!.slice(2), 16) : parseInt(m[1]!, 10);
  const unit = m[2]!.toUpperCase() === 'K' ? 1024 : m[2]!.toUpperCase() === 'M' ? 1024 * 1024 : 1;
  return n * unit;
}

/** Parses an ESP-IDF partition table; offsets must be explicit (we want to see where the ledger is). */
export function parsePartitions(csv: string): Partition[] {
  const out: Partition[] = [];
  for (const raw of csv.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const cols = line.split(',').map((c) => c.trim());
    if (cols.length < 5) throw tallyError(1012, `partition line '${line}': expected name, type, subtype, offset, size`);
    const [name, type, subtype, offset, size] = cols as [string, string, string, string, string];
    if (!/^[A-Za-z0-9_]{1,16}$/.test(name)) throw tallyError(1012, `partition name '${name}'`);
    if (type !== 'app' && type !== 'data') throw tallyError(1012, `partition '${name}': type '${type}'`);
    if (!offset) throw tallyError(1012, `partition '${name}': give its offset`);
    out.push({ name, type, subtype, offset: parseSize(offset), size: parseSize(size) });
  }
  return out;
}

function subtypeNumber(subtype: string): number | null {
  return /^0x[0-9a-fA-F]{1,2}$/.test(subtype) ? parseInt(subtype.slice(2), 16) : null;
}

/**
 * Checks a table against the rules ESP-IDF and the ledger need; returns the
 * ledger partition. Throws 1012 (schema) or 1013 (range) with the reason.
 */
export function checkLayout(parts: Partition[], flashBytes: number): Partition {
  const names = new Set<string>();
  for (const p of parts) {
    if (names.has(p.name)) throw tallyError(1012, `partition '${p.name}' appears twice`);
    names.add(p.name);
    const num = subtypeNumber(p.subtype);
    if (num === null && !SUBTYPES[p.type].includes(p.subtype)) throw tallyError(1012, `partition '${p.name}': subtype '${p.subtype}'`);
    const align = p.type === 'app' ? 0x10000 : SECTOR_BYTES;
    if (p.offset % align !== 0) throw tallyError(1013, `partition '${p.name}' at 0x${p.offset.toString(16)} is not aligned to 0x${align.toString(16)}`);
    if (p.size <= 0 || p.size % SECTOR_BYTES !== 0) throw tallyError(1013, `partition '${p.name}': size 0x${p.size.toString(16)} is not a whole number of sectors`);
    if (p.offset < FIRST_OFFSET) throw tallyError(1013, `partition '${p.name}' overlaps the partition table`);
    if (p.offset + p.size > flashBytes) throw tallyError(1013, `partition '${p.name}' ends past the ${flashBytes}-byte flash`);
  }
  const sorted = [...parts].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    if (prev.offset + prev.size > sorted[i]!.offset) throw tallyError(1013, `partitions '${prev.name}' and '${sorted[i]!.name}' overlap`);
  }
  if (!parts.some((p) => p.type === 'app' && (p.subtype === 'factory' || p.subtype === 'ota_0'))) throw tallyError(1012, 'no factory app partition');
  if (!parts.some((p) => p.type === 'data' && p.subtype === 'nvs')) throw tallyError(1012, 'no nvs partition (BLE and Wi-Fi calibration need it)');
  const ledger = parts.find((p) => p.name === LEDGER_PARTITION);
  if (!ledger) throw tallyError(1012, `no '${LEDGER_PARTITION}' partition for the ledger`);
  const sub = subtypeNumber(ledger.subtype);
  if (ledger.type !== 'data' || sub === null || sub < 0x40 || sub > 0xfe) {
    throw tallyError(1012, `the ledger partition must be data with a custom subtype 0x40..0xfe, not ${ledger.type}/${ledger.subtype}`);
  }
  if (ledger.size / SECTOR_BYTES < MIN_LEDGER_SECTORS) throw tallyError(1013, `the ledger partition has ${ledger.size / SECTOR_BYTES} sectors, fewer than ${MIN_LEDGER_SECTORS}`);
  return ledger;
}
