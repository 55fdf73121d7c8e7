// Moddable BLE (documentation/network/ble/ble.md; $MODDABLE/typings/ble/*.d.ts).
declare module 'btutils' {
  export class Bytes extends ArrayBuffer {
    constructor(bytes: string | ArrayBufferLike, littleEndian?: boolean);
    equals(bytes: Bytes): boolean;
    toString(): string;
  }
  export interface Advertisement {
    buffer: ArrayBuffer;
    completeName: string;
    shortName: string;
    manufacturerSpecific: { identifier: string | number; data: number[] };
    flags: number;
    completeUUID16List: Array<string | number>;
    incompleteUUID16List: Array<string | number>;
    findIndex(type: number, index?: number): number;
  }
  /** Tagged template: a UUID in hex (with or without dashes) as Bytes. */
  export function uuid(strings: TemplateStringsArray): Bytes;
  export function address(strings: TemplateStringsArray): Bytes;
}

declare module 'gap' {
  export const GAP: {
    readonly MAX_AD_LENGTH: 31;
    readonly ADFlag: {
      LE_LIMITED_DISCOVERABLE_MODE: 0x01;
      LE_GENERAL_DISCOVERABLE_MODE: 0x02;
      NO_BR_EDR: 0x04;
    };
    readonly ScanFilterPolicy: { NONE: 0; WHITELIST: 1; NOT_RESOLVED_DIRECTED: 2; WHITELIST_NOT_RESOLVED_DIRECTED: 3 };
    readonly AdvFilterPolicy: { NONE: 0; WHITELIST_SCANS: 1; WHITELIST_CONNECTIONS: 2; WHITELIST_SCANS_CONNECTIONS: 3 };
  };
  export { GAP as default };
}

declare module 'gatt' {
  import type { Advertisement, Bytes } from 'btutils';
  export interface Client {
    connection: number;
    address: Bytes;
    addressType: number;
    scanResponse: Advertisement;
    rssi: number;
    readRSSI(): void;
    discoverPrimaryService(uuid: Bytes): void;
    discoverAllPrimaryServices(): void;
    exchangeMTU(mtu: number): void;
    close(): void;
  }
  export interface Service {
    connection: number;
    uuid: Bytes;
    characteristics: Characteristic[];
    discoverAllCharacteristics(): void;
    discoverCharacteristic(uuid: Bytes): void;
  }
  export interface Characteristic {
    connection: number;
    uuid: Bytes;
    service: Service;
    handle: number;
    name: string;
    type: string;
    properties: number;
    enableNotifications(): void;
    disableNotifications(): void;
    readValue(auth?: number): void;
    writeWithoutResponse(value: ArrayBuffer | string): void;
  }
}

declare module 'bleserver' {
  import type { Bytes } from 'btutils';
  import type { Characteristic, Client } from 'gatt';
  export interface AdvertisementData {
    flags?: number;
    completeUUID16List?: Bytes[];
    completeUUID128List?: Bytes[];
    incompleteUUID128List?: Bytes[];
    shortName?: string;
    completeName?: string;
    manufacturerSpecific?: { identifier: string | number; data: number[] };
    txPowerLevel?: number;
  }
  export class BLEServer {
    // No constructor declared, as in $MODDABLE/typings/ble/bleserver.d.ts (the runtime takes { deployServices }).
    deviceName: string;
    readonly localAddress: Bytes;
    onReady(): void;
    startAdvertising(params: {
      advertisingData: AdvertisementData;
      connectable?: boolean;
      discoverable?: boolean;
      fast?: boolean;
      scanResponseData?: AdvertisementData;
    }): void;
    stopAdvertising(): void;
    notifyValue(characteristic: Characteristic, value: ArrayBuffer | number[] | number | string): void;
    onCharacteristicNotifyEnabled(characteristic: Characteristic): void;
    onCharacteristicWritten(characteristic: Characteristic, value: any): void;
    onCharacteristicRead(characteristic: Characteristic): Uint8Array | number[] | number | void;
    disconnect(): void;
    onConnected(device: Client): void;
    onDisconnected(device: Client): void;
    close(): void;
  }
  export { BLEServer as default };
}

declare module 'bleclient' {
  import type { Characteristic, Client, Service } from 'gatt';
  export class BLEClient {
    onReady(): void;
    startScanning(params?: { active?: boolean; duplicates?: boolean; filterPolicy?: number; interval?: number; window?: number }): void;
    onDiscovered(device: Client): void;
    stopScanning(): void;
    connect(device: Client): void;
    onConnected(device: Client): void;
    onMTUExchanged(device: Client, mtu: number): void;
    onDisconnected(device: Client): void;
    onServices(services: Service[]): void;
    onCharacteristics(characteristics: Characteristic[]): void;
    onCharacteristicValue(characteristic: Characteristic, value: any): void;
    onCharacteristicNotification(characteristic: Characteristic, value: any): void;
    onCharacteristicNotificationEnabled(characteristic: Characteristic): void;
    close(): void;
  }
  export { BLEClient as default };
}
