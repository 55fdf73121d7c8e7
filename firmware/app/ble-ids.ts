// The Tally GATT service (firmware/bleservices/tally.json) and helpers for
// advertisement bytes. UUIDs as the JSON writes them; `uuidBytesLE` gives the
// little-endian byte order they have on air and in Moddable's Bytes objects.
export const SERVICE_UUID = '5D3A0001-2F4B-4C6E-9A1D-7E2C5B8F1A30';
/** Central -> peripheral: write (without response) one fragment frame. */
export const RX_UUID = '5D3A0002-2F4B-4C6E-9A1D-7E2C5B8F1A30';
/** Peripheral -> central: notify one fragment frame. */
export const TX_UUID = '5D3A0003-2F4B-4C6E-9A1D-7E2C5B8F1A30';
/** Read: the current offer, the same TALLY:PAY/1/... text the QR code shows. */
export const OFFER_UUID = '5D3A0004-2F4B-4C6E-9A1D-7E2C5B8F1A30';

/** Bluetooth SIG "reserved for testing" company identifier, for our manufacturer data. */
export const COMPANY_ID = 0xffff;
/** ATT MTU a central asks for (Moddable's own examples use 250; NimBLE allows 247 with data length extension). */
export const PREFERRED_MTU = 247;

export const AD_COMPLETE_UUID128 = 0x07;
export const AD_INCOMPLETE_UUID128 = 0x06;

/** "5D3A0001-..." -> 16 bytes, least significant first (the order on air). */
export function uuidBytesLE(uuid: string): Uint8Array {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9A-Fa-f]{32}$/.test(hex)) throw new RangeError(`UUID ${uuid}`);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[15 - i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** The data of each AD structure of `type` in an advertising or scan response packet. */
export function adStructures(packet: Uint8Array, type: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < packet.length) {
    const len = packet[i]!;
    if (len === 0 || i + 1 + len > packet.length) break;
    if (packet[i + 1] === type) out.push(packet.subarray(i + 2, i + 1 + len));
    i += 1 + len;
  }
  return out;
}

/** True when a packet lists `serviceLE` among its 128-bit service UUIDs. */
export function advertisesService(packet: Uint8Array, serviceLE: Uint8Array): boolean {
  for (const type of [AD_COMPLETE_UUID128, AD_INCOMPLETE_UUID128]) {
    for (const list of adStructures(packet, type)) {
      for (let at = 0; at + 16 <= list.length; at += 16) {
        let same = true;
        for (let k = 0; k < 16 && same; k++) same = list[at + k] === serviceLE[k];
        if (same) return true;
      }
    }
  }
  return false;
}

/**
 * A BLE address as the stack hands it over (NimBLE keeps ble_addr_t.val least
 * significant byte first; Moddable's BLEServer.localAddress copies those bytes
 * unchanged) in the order a pairing URI writes it: most significant first.
 * Null when it is not 6 bytes or is all zeros (the stack does not know it yet).
 */
export function addressForOffer(raw: ArrayBuffer | Uint8Array | undefined | null, lsbFirst = true): Uint8Array | null {
  if (!raw || raw.byteLength !== 6) return null;
  const bytes = Uint8Array.from(raw instanceof Uint8Array ? raw : new Uint8Array(raw));
  if (bytes.every((b) => b === 0)) return null;
  return lsbFirst ? bytes.reverse() : bytes;
}
