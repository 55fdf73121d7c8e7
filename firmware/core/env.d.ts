// The few globals the card core may use. Both Node and XS provide them
// (XS-NOTES.md); on a Moddable device they come from text/encoder and
// text/decoder. The core is type-checked without DOM or Node types so that
// nothing else slips in.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: ArrayBufferView | ArrayBuffer): string;
}
