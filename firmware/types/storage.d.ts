// Flash partitions and files ($MODDABLE/typings/flash.d.ts, file.d.ts; modules/files/flash).
declare module 'flash' {
  /** A flash partition, opened by its label (ESP32: a data partition of any subtype). */
  class Flash {
    constructor(partition?: string);
    constructor(offset: number, byteLength: number);
    /** Erases one sector (`blockSize` bytes), relative to the partition. */
    erase(sector: number): void;
    /** A HostBuffer only when `useHostBuffer` is true; the SDK's typings say so for every call. */
    read(offset: number, byteLength: number, useHostBuffer?: boolean): ArrayBuffer | HostBuffer;
    write(offset: number, byteLength: number, buffer: ArrayBuffer): void;
    readonly byteLength: number;
    readonly blockSize: number;
  }
  export { Flash as default };
}

declare module 'file' {
  export class File {
    /** Opens a file; with `write` true it is created when missing and opened for update. */
    constructor(path: string, write?: boolean);
    read<T extends typeof ArrayBuffer | typeof String>(type: T, bytes?: number): T extends typeof String ? string : ArrayBuffer;
    write(value: ArrayBuffer | string, ...moreValues: (ArrayBuffer | string)[]): void;
    close(): void;
    readonly length: number;
    position: number;
    static delete(path: string): void;
    static exists(path: string): boolean;
  }
}

declare module 'preference' {
  /** Small persistent values by domain and key (ESP32: NVS; keys and domains at most 15 characters). */
  var Preference: {
    set: (domain: string, key: string, value: string | boolean | number | ArrayBuffer) => void;
    get: (domain: string, key: string) => string | boolean | number | ArrayBuffer | undefined;
    delete: (domain: string, key: string) => void;
    keys: (domain: string) => string[];
  };
  export { Preference as default };
}
