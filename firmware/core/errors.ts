// Every failure the card core can report, with a stable number. The same
// table is printed in docs/protocol.md (a test keeps the two in step), and
// errors cross every link (BLE, serial, HTTP) as { code, message }.

export const ErrorTable = {
  // 1xxx: encodings (CBOR, framing, URIs, records)
  1001: ['ENCODING_TOO_LONG', 'input is longer than this structure allows'],
  1002: ['ENCODING_TRUNCATED', 'input ends in the middle of an item'],
  1003: ['ENCODING_TRAILING_BYTES', 'bytes follow the end of the item'],
  1004: ['ENCODING_NOT_SHORTEST', 'an integer, length or float is not in its shortest form'],
  1005: ['ENCODING_INDEFINITE_LENGTH', 'indefinite-length items are not allowed'],
  1006: ['ENCODING_UNSORTED_KEYS', 'map keys are not in canonical (bytewise) order'],
  1007: ['ENCODING_DUPLICATE_KEY', 'a map key appears twice'],
  1008: ['ENCODING_UNSUPPORTED_TYPE', 'this CBOR type is not allowed here (tags, floats, simple values)'],
  1009: ['ENCODING_TOO_DEEP', 'items are nested deeper than allowed'],
  1010: ['ENCODING_BAD_UTF8', 'a text string is not valid UTF-8'],
  1011: ['ENCODING_MALFORMED', 'the input is not well-formed'],
  1012: ['ENCODING_SCHEMA', 'a field is missing, unknown or of the wrong type'],
  1013: ['ENCODING_INTEGER_RANGE', 'an integer is outside the range this field allows'],
  1101: ['PAIRING_NOT_TALLY_URI', 'this is not a tally: payment link'],
  1102: ['PAIRING_BAD_FIELD', 'a field of the payment link is malformed'],
  1103: ['PAIRING_UNSUPPORTED_VERSION', 'the payment link has a version this card does not know'],
  1104: ['PAIRING_AMOUNT', 'the amount in the payment link is out of range'],
  1105: ['PAIRING_CURRENCY', 'the currency in the payment link is not three letters A-Z'],
  // 2xxx: keys, signatures, certificates
  2001: ['CRYPTO_BAD_SIGNATURE', 'a signature does not verify'],
  2002: ['CRYPTO_BAD_KEY', 'a key has the wrong length or is not a valid point'],
  2003: ['CERT_UNKNOWN_ISSUER', 'the certificate was issued by an authority key this card does not trust'],
  2004: ['CERT_EXPIRED', 'the certificate epoch range has ended; sync the card to renew it'],
  2005: ['CERT_NOT_YET_VALID', 'the certificate epoch range has not started'],
  2006: ['CERT_MISMATCH', 'the certificate does not belong to this card or key'],
  2007: ['CRYPTO_LOW_ORDER', 'a Diffie-Hellman result is all zero (low-order public key)'],
  // 3xxx: the Noise channel
  3001: ['CHANNEL_OUT_OF_ORDER', 'a handshake or transport call came in the wrong order'],
  3002: ['CHANNEL_DECRYPT', 'a message failed authentication (wrong key, altered or replayed)'],
  3003: ['CHANNEL_SHORT', 'a handshake message is shorter than the pattern requires'],
  3004: ['CHANNEL_TOO_LONG', 'a message exceeds the Noise limit of 65535 bytes'],
  3005: ['CHANNEL_NONCE_EXHAUSTED', 'the channel has used every nonce; open a new one'],
  3006: ['CHANNEL_BAD_CONFIG', 'the handshake is missing a key or PSK its pattern needs'],
  // 6xxx: the USB serial link between a card and its bridge
  6001: ['SERIAL_BAD_FRAME', 'a serial frame is malformed (COBS, length or size); it was dropped'],
  6002: ['SERIAL_FRAME_TOO_LONG', 'a serial frame exceeds the largest allowed payload'],
  6003: ['SERIAL_CRC', 'a serial frame failed its CRC check; it was dropped'],
  6004: ['SERIAL_UNKNOWN_COMMAND', 'the card does not know this serial command'],
  6005: ['SERIAL_BAD_REQUEST', 'a serial request is malformed or has wrong arguments'],
  6006: ['SERIAL_TIMEOUT', 'the card did not answer in time; check the cable and the port'],
  6007: ['SERIAL_NOT_PROVISIONED', 'the card has no keys or certificate yet; provision it first'],
  6008: ['SERIAL_UNTRUSTED', 'the host sent something not signed by the authority the card trusts'],
  // 9xxx: programming errors at an API boundary
  9001: ['ARGUMENT', 'an argument is missing or of the wrong type'],
} as const satisfies Record<number, readonly [string, string]>;

export type ErrorCode = keyof typeof ErrorTable;
type NameOf<C extends ErrorCode> = (typeof ErrorTable)[C][0];

/** Codes by name: `Code.CHANNEL_DECRYPT === 3002`. */
export const Code = Object.fromEntries(
  Object.entries(ErrorTable).map(([code, [name]]) => [name, Number(code)]),
) as { readonly [C in ErrorCode as NameOf<C>]: C };

/** Root of the error tree. `code` is the number from the table. */
export class TallyError extends Error {
  readonly code: ErrorCode;
  readonly detail: string;
  constructor(code: ErrorCode, detail = '') {
    const [name, text] = ErrorTable[code];
    super(`E${code} ${name}: ${text}${detail ? ` (${detail})` : ''}`);
    this.code = code;
    this.detail = detail;
    this.name = new.target.name;
  }
  toJSON(): { code: number; message: string } {
    return { code: this.code, message: this.message };
  }
}
/** 1xxx: bytes that do not decode. */
export class EncodingError extends TallyError {}
/** 2xxx: keys, signatures and certificates. */
export class CryptoError extends TallyError {}
/** 3xxx: the Noise channel. */
export class ChannelError extends TallyError {}
/** 6xxx: the serial link to the host bridge. */
export class SerialError extends TallyError {}
/** 9xxx: a caller passed something the API does not accept. */
export class ArgumentError extends TallyError {
  constructor(field: string, expected: string) {
    super(9001, `${field}: expected ${expected}`);
  }
}

const classFor = (code: number): new (code: ErrorCode, detail?: string) => TallyError =>
  code < 2000 ? EncodingError : code < 3000 ? CryptoError : code < 4000 ? ChannelError : code >= 6000 && code < 7000 ? SerialError : TallyError;

/** Builds the error of the right class for a code. */
export function tallyError(code: ErrorCode, detail = ''): TallyError {
  return new (classFor(code))(code, detail);
}

/** Throws the coded error; typed `never` so it ends control flow. */
export function fail(code: ErrorCode, detail = ''): never {
  throw tallyError(code, detail);
}

/**
 * Runs a decoder and guarantees that whatever goes wrong leaves as a coded
 * error: a library exception (cbor-x, noble) becomes `fallback`.
 */
export function coded<T>(fallback: ErrorCode, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TallyError) throw e;
    throw tallyError(fallback, e instanceof Error ? e.message : String(e));
  }
}
