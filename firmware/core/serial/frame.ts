// Serial framing between a card and its host bridge, over a USB UART.
//
// A frame is COBS-encoded (so 0x00 never appears inside) and ends with 0x00:
//
//   COBS( seq:u8 | length:u16 big-endian | payload | crc32(seq..payload):u32 big-endian ) 0x00
//
// A receiver resynchronises at the next 0x00 after any damage, so garbage on
// the line costs at most the frame it hit. The sequence number pairs a
// response with its request and lets the card answer a retransmitted request
// from its cache instead of running it twice.
import { crc32 } from '../crc32.js';
import { fail } from '../errors.js';

/** Largest payload of one frame, in bytes (a ledger dump chunk fits). */
export const FRAME_PAYLOAD_MAX = 4096;
const HEADER = 3;
const TRAILER = 4;

export function encodeFrame(seq: number, payload: Uint8Array): Uint8Array {
  if (!Number.isInteger(seq) || seq < 0 || seq > 255) fail(9001, 'seq: an integer 0..255');
  if (payload.length > FRAME_PAYLOAD_MAX) fail(6002, `${payload.length} > ${FRAME_PAYLOAD_MAX} bytes`);
  const raw = new Uint8Array(HEADER + payload.length + TRAILER);
  raw[0] = seq;
  raw[1] = payload.length >> 8;
  raw[2] = payload.length & 255;
  raw.set(payload, HEADER);
  const c = crc32(raw, 0, HEADER + payload.length);
  const o = HEADER + payload.length;
  raw[o] = c >>> 24;
  raw[o + 1] = (c >>> 16) & 255;
  raw[o + 2] = (c >>> 8) & 255;
  raw[o + 3] = c & 255;
  return cobsEncode(raw);
}

export interface Frame {
  seq: number;
  payload: Uint8Array;
}

/** A decoded frame, or the coded reason a delimited chunk was dropped. */
export type FrameEvent = { frame: Frame } | { error: { code: number; message: string } };

/**
 * Streaming decoder: push whatever bytes arrive; complete frames come out.
 * Oversized runs without a delimiter are dropped (6002) rather than buffered.
 */
export class FrameDecoder {
  private buf = new Uint8Array(cobsMax(HEADER + FRAME_PAYLOAD_MAX + TRAILER) + 1);
  private n = 0;
  private overflow = false;

  push(bytes: Uint8Array): FrameEvent[] {
    const out: FrameEvent[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (b !== 0) {
        if (this.n < this.buf.length) this.buf[this.n++] = b;
        else this.overflow = true;
        continue;
      }
      if (this.overflow) out.push(err(6002, 'frame longer than the largest allowed'));
      else if (this.n > 0) out.push(decodeChunk(this.buf.subarray(0, this.n)));
      this.n = 0;
      this.overflow = false;
    }
    return out;
  }
}

function err(code: 6001 | 6002 | 6003, message: string): FrameEvent {
  return { error: { code, message } };
}

/** Decodes one chunk that was between delimiters (exported for fuzzing). */
export function decodeChunk(chunk: Uint8Array): FrameEvent {
  const raw = cobsDecode(chunk);
  if (!raw) return err(6001, 'not valid COBS');
  if (raw.length < HEADER + TRAILER) return err(6001, `frame of ${raw.length} bytes is too short`);
  const length = (raw[1]! << 8) | raw[2]!;
  if (length > FRAME_PAYLOAD_MAX) return err(6002, `declared ${length} bytes`);
  if (raw.length !== HEADER + length + TRAILER) return err(6001, `length field ${length} disagrees with the frame`);
  const o = HEADER + length;
  const c = ((raw[o]! << 24) | (raw[o + 1]! << 16) | (raw[o + 2]! << 8) | raw[o + 3]!) >>> 0;
  if (c !== crc32(raw, 0, o)) return err(6003, 'CRC mismatch');
  return { frame: { seq: raw[0]!, payload: raw.subarray(HEADER, o) } };
}

function cobsMax(n: number): number {
  return n + Math.ceil(n / 254) + 1;
}

/** COBS (Cheshire and Baker, 1999) plus the trailing 0x00 delimiter. */
export function cobsEncode(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(cobsMax(src.length) + 1);
  let code = 1;
  let codeAt = 0;
  let o = 1;
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!;
    if (b === 0) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
    } else {
      out[o++] = b;
      if (++code === 0xff) {
        out[codeAt] = code;
        codeAt = o++;
        code = 1;
      }
    }
  }
  out[codeAt] = code;
  out[o++] = 0;
  return out.subarray(0, o);
}

/** Decodes a COBS block without its delimiter; null if malformed. */
export function cobsDecode(src: Uint8Array): Uint8Array | null {
  const out = new Uint8Array(src.length);
  let o = 0;
  let i = 0;
  while (i < src.length) {
    const code = src[i++]!;
    if (code === 0) return null;
    const end = i + code - 1;
    if (end > src.length) return null;
    while (i < end) {
      const b = src[i++]!;
      if (b === 0) return null;
      out[o++] = b;
    }
    if (code !== 0xff && i < src.length) out[o++] = 0;
  }
  return out.subarray(0, o);
}
