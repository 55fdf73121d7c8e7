// Timers, GPIO, SPI, serial, config, text codecs, QR codes ($MODDABLE/typings/timer.d.ts,
// embedded_io/{digital,spi,serial}.d.ts, mc/config.d.ts, text/*.d.ts, qrcode.d.ts; documentation/base/timer.md,
// io/io.md, data/qrcode/qrcode.md).
declare module 'timer' {
  type TimerID = number;
  type TimerCallback = (id: TimerID) => void;
  var Timer: {
    set: (callback: TimerCallback, interval?: number, repeat?: boolean) => TimerID;
    repeat: (callback: TimerCallback, interval?: number) => TimerID;
    schedule: (id: TimerID, interval?: number, repeat?: boolean) => void;
    clear: (id: TimerID) => void;
    delay: (ms: number) => void;
  };
  export { Timer as default };
}

declare module 'embedded:io/_common' {
  export type PinSpecifier = number;
  export type PortSpecifier = number;
}

declare module 'embedded:io/digital' {
  import type { PinSpecifier } from 'embedded:io/_common';
  class Digital {
    // The SDK's typings leave the mode constants opaque (unknown): pass them, never compute with them.
    static readonly Input: unknown;
    static readonly InputPullUp: unknown;
    static readonly InputPullDown: unknown;
    static readonly InputPullUpDown: unknown;
    static readonly Output: unknown;
    static readonly OutputOpenDrain: unknown;
    static readonly Rising: number;
    static readonly Falling: number;
    constructor(options: {
      pin: PinSpecifier;
      mode: unknown;
      /** Rising | Falling: call onReadable when the level changes that way. */
      edge?: number;
      onReadable?: (this: Digital) => void;
      format?: 'number';
      target?: unknown;
    });
    read(): 0 | 1;
    write(value: 0 | 1): void;
    close(): void;
  }
  export default Digital;
}

declare module 'embedded:io/spi' {
  import type { PinSpecifier, PortSpecifier } from 'embedded:io/_common';
  class SPI {
    constructor(options: {
      out?: PinSpecifier;
      in?: PinSpecifier;
      clock: PinSpecifier;
      select?: PinSpecifier;
      active?: 0 | 1;
      hz: number;
      mode?: number;
      port?: PortSpecifier;
      format?: 'buffer';
      target?: unknown;
    });
    write(buffer: ArrayBuffer | ArrayBufferView): void;
    read(byteLength: number): ArrayBuffer;
    flush(deselect?: boolean): void;
    close(): void;
  }
  export default SPI;
}

declare module 'embedded:io/serial' {
  import type { PinSpecifier, PortSpecifier } from 'embedded:io/_common';
  class Serial {
    constructor(options: {
      baud: number;
      /** ESP32: UART number (0 is the USB bridge). */
      port?: PortSpecifier;
      receive?: PinSpecifier;
      transmit?: PinSpecifier;
      /** Desktop: the tty device path. */
      device?: string;
      onReadable?: (this: Serial, bytes: number) => void;
      onWritable?: (this: Serial, bytes: number) => void;
      format?: 'number' | 'buffer';
      target?: unknown;
    });
    close(): void;
    read(): number | ArrayBuffer | undefined;
    read(byteLength: number): ArrayBuffer | undefined;
    write(value: number | ArrayBuffer): void;
  }
  export default Serial;
}

declare module 'mc/config' {
  var Config: { file?: { root: string } } & Record<string, any>;
  export { Config as default };
}

declare module 'text/encoder' {
  interface TextEncoder {
    encode(input: string): Uint8Array;
    encodeInto(source: string, destination: Uint8Array): { read: number; written: number };
  }
  var TextEncoder: { prototype: TextEncoder; new (): TextEncoder };
  export { TextEncoder as default };
}

declare module 'text/decoder' {
  interface TextDecoder {
    decode(input?: Uint8Array | ArrayBufferLike, options?: { stream?: boolean }): string;
    readonly encoding: string;
    readonly fatal: boolean;
    readonly ignoreBOM: boolean;
  }
  var TextDecoder: { prototype: TextDecoder; new (label?: 'utf-8', options?: { fatal?: boolean; ignoreBOM?: boolean }): TextDecoder };
  export { TextDecoder as default };
}

declare module 'qrcode' {
  /** One byte per module (0 light, 1 dark), row-major; `size` is the side in modules. */
  interface QRCodeModules extends ArrayBuffer {
    size: number;
  }
  const qrCode: (options: { input: string | ArrayBuffer; maxVersion?: number }) => QRCodeModules;
  export { qrCode as default };
}
