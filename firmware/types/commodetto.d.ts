// Commodetto and Poco ($MODDABLE/typings/commodetto/*.d.ts; documentation/commodetto/commodetto.md, poco.md).
declare module 'commodetto/PixelsOut' {
  class PixelsOut {
    begin(x: number, y: number, width: number, height: number): void;
    end(): void;
    send(pixels: ArrayBuffer, offset: number, count: number): void;
    readonly width: number;
    readonly height: number;
    readonly pixelFormat: number;
  }
  export { PixelsOut as default };
}

declare module 'commodetto/Bitmap' {
  class Bitmap {
    constructor(width: number, height: number, format: number, buffer: ArrayBuffer, offset: number, byteLength?: number);
    readonly pixelFormat: number;
    readonly width: number;
    readonly height: number;
    static depth(pixelFormat: number): number;
    /** 1 bit per pixel, rows of (width + 7) >> 3 bytes, most significant bit leftmost. */
    static readonly Monochrome: 3;
    static readonly Gray256: 5;
    static readonly RGB565LE: 7;
  }
  export { Bitmap as default };
}

declare module 'commodetto/Poco' {
  import type PixelsOut from 'commodetto/PixelsOut';
  import type Bitmap from 'commodetto/Bitmap';
  export interface PocoPrototype {
    begin(x?: number, y?: number, width?: number, height?: number): void;
    end(): void;
    makeColor(r: number, g: number, b: number): number;
    fillRectangle(color: number, x: number, y: number, width: number, height: number): void;
    /** Set bits draw in `fore`, clear bits in `back` (either may be undefined: not drawn). */
    drawMonochrome(monochrome: Bitmap, fore: number | undefined, back: number | undefined, x: number, y: number): void;
    readonly width: number;
    readonly height: number;
  }
  export interface PocoConstructor {
    new (pixelsOut: PixelsOut, options?: { pixels?: number; displayListLength?: number; rotation?: 0 | 90 | 180 | 270 }): PocoPrototype;
  }
  var Poco: PocoConstructor;
  export default Poco;
}
