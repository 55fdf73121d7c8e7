// The BLE radio on the ESP32 (NimBLE through Moddable's bleserver and
// bleclient modules; documentation/network/ble/ble.md).
//
// Payee: a BLEServer with the Tally GATT service (firmware/bleservices/tally.json)
// advertises; a central subscribes to `tx`, may read `offer` (the pairing
// text), writes fragments to `rx`; we notify fragments on `tx`.
// Payer (tap): a BLEClient scans for the service, connects to the payee the
// app picked, asks for a larger MTU, finds the characteristics, subscribes to
// `tx`, reads `offer`, and then writes fragments to `rx`.
//
// Moddable runs one role at a time, so each start closes the other role's
// object first (which releases the NimBLE stack) and creates a fresh one.
// The BLE objects are used through the small interfaces below rather than the
// SDK's typings: some callbacks (the server's onMTUExchanged) are not in the
// SDK's declarations, and these are all this adapter relies on.
import BLEClient from 'bleclient';
import BLEServer from 'bleserver';
import { Bytes } from 'btutils';
import Timer from 'timer';
import { tallyError } from '../core/index.js';
import { OFFER_UUID, PREFERRED_MTU, RX_UUID, SERVICE_UUID, TX_UUID, COMPANY_ID, addressForOffer, advertisesService, uuidBytesLE } from '../app/ble-ids.js';
import type { AdvertisementSpec, BleConnection, ConnectionEvents, Radio, TapCandidate } from '../app/radio.js';
import type { OpenRadio } from './platform.js';

interface ServerCharacteristic {
  name?: string;
  handle: number;
  uuid: ArrayBuffer;
}

interface ServerApi {
  deviceName: string;
  /** Valid from onReady on (modules/network/ble/nimble/modBLEServer.c copies the stack's address). */
  readonly localAddress: ArrayBuffer;
  startAdvertising(params: { advertisingData: object; scanResponseData?: object }): void;
  stopAdvertising(): void;
  notifyValue(characteristic: ServerCharacteristic, value: ArrayBuffer): void;
  disconnect(): void;
  close(): void;
  onReady: () => void;
  onConnected: (device: unknown) => void;
  onDisconnected: (device: unknown) => void;
  onCharacteristicNotifyEnabled: (characteristic: ServerCharacteristic) => void;
  onCharacteristicWritten: (characteristic: ServerCharacteristic, value: ArrayBuffer) => void;
  onCharacteristicRead: (characteristic: ServerCharacteristic) => ArrayBuffer | undefined;
  onMTUExchanged: (mtu: number) => void;
}

interface ClientCharacteristic {
  uuid: ArrayBuffer;
  enableNotifications(): void;
  readValue(): void;
  writeWithoutResponse(value: ArrayBuffer): void;
}

interface ClientService {
  uuid: ArrayBuffer;
  discoverAllCharacteristics(): void;
}

interface ClientDevice {
  address: { toString(): string };
  rssi: number;
  scanResponse?: { buffer?: ArrayBuffer };
  exchangeMTU(mtu: number): void;
  discoverPrimaryService(uuid: ArrayBuffer): void;
  close(): void;
}

interface ClientApi {
  startScanning(params?: { active?: boolean; duplicates?: boolean }): void;
  stopScanning(): void;
  connect(device: ClientDevice): void;
  close(): void;
  onReady: () => void;
  onDiscovered: (device: ClientDevice) => void;
  onConnected: (device: ClientDevice) => void;
  onMTUExchanged: (device: ClientDevice, mtu: number) => void;
  onServices: (services: ClientService[]) => void;
  onCharacteristics: (characteristics: ClientCharacteristic[]) => void;
  onCharacteristicNotificationEnabled: (characteristic: ClientCharacteristic) => void;
  onCharacteristicValue: (characteristic: ClientCharacteristic, value: ArrayBuffer) => void;
  onCharacteristicNotification: (characteristic: ClientCharacteristic, value: ArrayBuffer) => void;
  onDisconnected: (device: ClientDevice) => void;
}

const SERVICE_LE = uuidBytesLE(SERVICE_UUID);
const RX_LE = uuidBytesLE(RX_UUID);
const TX_LE = uuidBytesLE(TX_UUID);
const OFFER_LE = uuidBytesLE(OFFER_UUID);
/** Largest advertising or scan response payload. */
const AD_MAX = 31;
/** ATT MTU before (or without) an exchange, in bytes. */
const ATT_DEFAULT_MTU = 23;
/** Devices remembered while scanning (their objects are needed to connect). */
const SEEN_MAX = 16;

function sameBytes(a: ArrayBuffer | undefined, b: Uint8Array): boolean {
  if (!a || a.byteLength !== b.length) return false;
  const x = new Uint8Array(a);
  for (let i = 0; i < b.length; i++) if (x[i] !== b[i]) return false;
  return true;
}

function ascii(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

function asciiBuffer(text: string): ArrayBuffer {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0x7f;
  return out.buffer;
}

/** Service UUID bytes as Moddable's Bytes (what uuid`...` builds). */
function serviceBytes(): Bytes {
  return new Bytes(SERVICE_UUID.replace(/-/g, ''), true);
}

class BleRadio implements Radio {
  private server: ServerApi | null = null;
  private client: ClientApi | null = null;
  private seen = new Map<string, ClientDevice>();
  /** This card's address, learnt from a BLEServer once its stack is up (it never changes). */
  private address: Uint8Array | null = null;

  constructor(private readonly log: (line: string) => void) {
    this.probeAddress();
  }

  localAddress(): Uint8Array | null {
    return this.address;
  }

  /**
   * Offers are made before the peripheral starts, so learn the address at
   * boot: bring a BLEServer up, read localAddress in onReady, close it. Any
   * start before then closes the probe (stop()); the next peripheral's onReady
   * fills the address in instead.
   */
  private probeAddress(): void {
    let server: ServerApi;
    try {
      // deployServices: false, no GATT services for a probe (documentation/network/ble/ble.md);
      // the SDK's typings declare no constructor argument, hence the cast.
      server = new (BLEServer as unknown as new (options: { deployServices: boolean }) => ServerApi)({ deployServices: false });
    } catch (e) {
      this.log(`ble: no address probe (${e instanceof Error ? e.message : String(e)})`);
      return;
    }
    this.server = server;
    server.onReady = () => {
      this.learnAddress(server);
      if (this.server !== server) return;
      this.server = null;
      try {
        server.close();
      } catch {
        // closing a probe that failed to start: nothing to release
      }
    };
  }

  private learnAddress(server: ServerApi): void {
    if (this.address) return;
    try {
      this.address = addressForOffer(server.localAddress);
    } catch {
      this.address = null;
    }
  }

  startPeripheral(ad: AdvertisementSpec, offerUri: string, events: ConnectionEvents): void {
    this.stop();
    let server: ServerApi;
    try {
      server = new BLEServer() as unknown as ServerApi;
    } catch (e) {
      throw tallyError(9001, `BLE server: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.server = server;
    const offer = asciiBuffer(offerUri);
    let tx: ServerCharacteristic | null = null;
    let connected = false;
    let mtu = 0;
    const early: ArrayBuffer[] = [];
    const advertise = (): void => {
      const name = ad.name.slice(0, 8);
      const scanResponse: Record<string, unknown> = { completeName: name };
      // Manufacturer data only when it fits the scan response with the name.
      if (ad.data && ad.data.length && 2 + name.length + 4 + ad.data.length <= AD_MAX) {
        scanResponse.manufacturerSpecific = { identifier: COMPANY_ID, data: Array.from(ad.data) };
      }
      server.startAdvertising({
        advertisingData: { flags: 6, completeUUID128List: [serviceBytes()] },
        scanResponseData: scanResponse,
      });
    };
    const conn: BleConnection = {
      write: (value) => {
        if (tx && this.server === server) server.notifyValue(tx, value.slice().buffer);
      },
      close: () => {
        if (this.server === server) server.disconnect();
      },
    };
    server.onReady = () => {
      this.learnAddress(server);
      server.deviceName = ad.name;
      advertise();
    };
    server.onConnected = () => server.stopAdvertising();
    server.onCharacteristicNotifyEnabled = (c) => {
      if (!sameBytes(c.uuid, TX_LE) && c.name !== 'tx') return;
      tx = c;
      if (connected) return;
      connected = true;
      events.connected(conn);
      if (mtu) events.mtu(mtu);
      for (const v of early.splice(0)) events.value(new Uint8Array(v));
    };
    server.onCharacteristicWritten = (c, value) => {
      if (!(value instanceof ArrayBuffer) || (c.name !== 'rx' && !sameBytes(c.uuid, RX_LE))) return;
      if (connected) events.value(new Uint8Array(value));
      else if (early.length < 8) early.push(value);
    };
    server.onCharacteristicRead = (c) => (c.name === 'offer' || sameBytes(c.uuid, OFFER_LE) ? offer : undefined);
    server.onMTUExchanged = (value) => {
      mtu = typeof value === 'number' ? value : 0;
      if (connected && mtu) events.mtu(mtu);
    };
    server.onDisconnected = () => {
      if (this.server !== server) return;
      if (connected) {
        connected = false;
        tx = null;
        events.disconnected();
      } else {
        // A central that left before subscribing: offer again.
        early.length = 0;
        advertise();
      }
    };
  }

  startScan(onCandidate: (c: TapCandidate) => void): void {
    this.stop();
    const client = this.newClient();
    client.onReady = () => client.startScanning({ active: true, duplicates: true });
    client.onDiscovered = (device) => {
      const packet = device.scanResponse?.buffer;
      if (!packet || !advertisesService(new Uint8Array(packet), SERVICE_LE)) return;
      const id = device.address.toString();
      if (!this.seen.has(id) && this.seen.size >= SEEN_MAX) this.seen.clear();
      this.seen.set(id, device);
      onCandidate({ id, rssi: device.rssi });
    };
  }

  connect(candidate: TapCandidate, events: ConnectionEvents): void {
    const client = this.client;
    const device = this.seen.get(candidate.id);
    if (!client || !device) throw tallyError(9001, 'connect: that payee was not found by this scan');
    client.stopScanning();
    this.seen.clear();
    let peer: ClientDevice | null = null;
    let rx: ClientCharacteristic | null = null;
    let tx: ClientCharacteristic | null = null;
    let offer: ClientCharacteristic | null = null;
    let connected = false;
    let discovering = false;
    let mtu = 0;
    let fallback: number | undefined;
    const discover = (): void => {
      if (discovering || !peer) return;
      discovering = true;
      if (fallback !== undefined) Timer.clear(fallback);
      peer.discoverPrimaryService(serviceBytes());
    };
    const conn: BleConnection = {
      write: (value) => {
        if (rx && this.client === client) rx.writeWithoutResponse(value.slice().buffer);
      },
      close: () => {
        if (this.client !== client) return;
        try {
          peer?.close();
        } catch {
          // already disconnected: the SDK throws "connection not found"
        }
      },
    };
    client.onConnected = (d) => {
      peer = d;
      d.exchangeMTU(PREFERRED_MTU);
      // Peers that ignore the MTU exchange: go on after a while with 23.
      fallback = Timer.set(() => {
        fallback = undefined;
        discover();
      }, 1500);
    };
    client.onMTUExchanged = (_d, value) => {
      mtu = value;
      discover();
    };
    client.onServices = (services) => {
      const service = services.find((s) => sameBytes(s.uuid, SERVICE_LE));
      if (service) service.discoverAllCharacteristics();
      else peer?.close();
    };
    client.onCharacteristics = (characteristics) => {
      for (const c of characteristics) {
        if (sameBytes(c.uuid, RX_LE)) rx = c;
        else if (sameBytes(c.uuid, TX_LE)) tx = c;
        else if (sameBytes(c.uuid, OFFER_LE)) offer = c;
      }
      if (rx && tx && offer) tx.enableNotifications();
      else peer?.close();
    };
    client.onCharacteristicNotificationEnabled = () => offer?.readValue();
    client.onCharacteristicValue = (c, value) => {
      if (!sameBytes(c.uuid, OFFER_LE) || connected || !(value instanceof ArrayBuffer)) return;
      // readValue() is one ATT Read Request (modules/network/ble/nimble/modBLEClient.c:
      // ble_gattc_read, no long read), so the peer sends at most MTU - 1 bytes.
      // A value that fills that may be cut short: never pay a truncated offer.
      if (value.byteLength >= (mtu || ATT_DEFAULT_MTU) - 1) {
        this.log(`ble: offer read may be truncated (${value.byteLength} bytes at MTU ${mtu || ATT_DEFAULT_MTU})`);
        peer?.close();
        return;
      }
      connected = true;
      events.connected(conn, ascii(value));
      if (mtu) events.mtu(mtu);
    };
    client.onCharacteristicNotification = (c, value) => {
      if (connected && sameBytes(c.uuid, TX_LE) && value instanceof ArrayBuffer) events.value(new Uint8Array(value));
    };
    client.onDisconnected = () => {
      if (fallback !== undefined) Timer.clear(fallback);
      if (this.client !== client) return;
      if (!connected) this.log('ble: the payee went away before the link was up');
      connected = false;
      events.disconnected();
    };
    client.connect(device);
  }

  stop(): void {
    const server = this.server;
    const client = this.client;
    this.server = null;
    this.client = null;
    this.seen.clear();
    try {
      server?.close();
      client?.close();
    } catch (e) {
      this.log(`ble close: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private newClient(): ClientApi {
    let client: ClientApi;
    try {
      client = new BLEClient() as unknown as ClientApi;
    } catch (e) {
      throw tallyError(9001, `BLE client: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.client = client;
    return client;
  }
}

export const openRadio: OpenRadio = (_config, log) => new BleRadio(log);
