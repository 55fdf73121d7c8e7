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
  2008: ['CRYPTO_SELF_TEST', 'the native hash failed its known-answer test; the card makes and checks no keys'],
  // 3xxx: the Noise channel
  3001: ['CHANNEL_OUT_OF_ORDER', 'a handshake or transport call came in the wrong order'],
  3002: ['CHANNEL_DECRYPT', 'a message failed authentication (wrong key, altered or replayed)'],
  3003: ['CHANNEL_SHORT', 'a handshake message is shorter than the pattern requires'],
  3004: ['CHANNEL_TOO_LONG', 'a message exceeds the Noise limit of 65535 bytes'],
  3005: ['CHANNEL_NONCE_EXHAUSTED', 'the channel has used every nonce; open a new one'],
  3006: ['CHANNEL_BAD_CONFIG', 'the handshake is missing a key or PSK its pattern needs'],
  // 4xxx: payments between two cards (firmware/core/payment)
  4001: ['PAYMENT_AMOUNT', 'the amount or currency asked differs from the offer or the payment'],
  4002: ['PAYMENT_ALLOWANCE', "the payment would take the payer's spent total beyond its certificate's allowance"],
  4003: ['PAYMENT_REVOKED', 'the card is on the revocation list'],
  4004: ['PAYMENT_WRONG_PEER', 'the peer is not the card of the offer, or its certificate does not match its keys'],
  4005: ['PAYMENT_NONCE', 'the payment does not answer an open offer nonce of this card'],
  4006: ['PAYMENT_SESSION_BINDING', 'the payment is bound to another session (handshake hash)'],
  4007: ['PAYMENT_CHAIN', "the payment does not fit the payer's chain (sequence, previous hash or spent total)"],
  4008: ['PAYMENT_EQUIVOCATION', 'a different payment with the same card and sequence number was seen: fraud proof'],
  4009: ['PAYMENT_DECLINED', 'the holder declined the payment'],
  4010: ['PAYMENT_WRONG_PIN', 'the PIN is wrong'],
  4011: ['PAYMENT_LOCKED', 'too many failed PIN or confirmation attempts; wait and try again'],
  4012: ['PAYMENT_TOKEN_USED', 'the one-time token of this offer was already used; show a new offer'],
  4013: ['PAYMENT_UNEXPECTED', 'a message arrived that the session does not expect now'],
  4014: ['PAYMENT_MESSAGE_TOO_LONG', 'a link message is longer than the protocol or the link allows'],
  4015: ['PAYMENT_ABORTED', 'the link closed or the session was cancelled before the payment completed'],
  4016: ['PAYMENT_PEER_ERROR', 'the peer refused the payment (its code is in the message)'],
  4017: ['PAYMENT_BAD_RECEIPT', 'the receipt does not answer this payment'],
  4018: ['PAYMENT_BUSY', 'the card is already in a payment session'],
  4019: ['PAYMENT_NO_CERTIFICATE', 'the card has no certificate for payments; sync it'],
  4020: ['PAYMENT_CURRENCY', "the currency is not the one of the payer's certificate"],
  // 5xxx: the flash ledger (firmware/core/ledger)
  5001: ['LEDGER_CORRUPT', 'a committed ledger entry does not decode'],
  5002: ['LEDGER_FULL', 'the ledger has no room left; sync the card so it can compact'],
  5003: ['LEDGER_CHAIN', 'the stored chain is broken (sequence or previous hash)'],
  5004: ['LEDGER_FLASH', 'the flash region is unusable for a ledger (size or sector layout)'],
  5005: ['LEDGER_ACK', "the acknowledgement does not match this card's chain"],
  5006: ['LEDGER_LOAD', 'the load or certificate is not for this card or is not newer'],
  5007: ['LEDGER_STALE', 'the statement is not newer than the one the card holds'],
  // 6xxx: the USB serial link between a card and its bridge
  6001: ['SERIAL_BAD_FRAME', 'a serial frame is malformed (COBS, length or size); it was dropped'],
  6002: ['SERIAL_FRAME_TOO_LONG', 'a serial frame exceeds the largest allowed payload'],
  6003: ['SERIAL_CRC', 'a serial frame failed its CRC check; it was dropped'],
  6004: ['SERIAL_UNKNOWN_COMMAND', 'the card does not know this serial command'],
  6005: ['SERIAL_BAD_REQUEST', 'a serial request is malformed or has wrong arguments'],
  6006: ['SERIAL_TIMEOUT', 'the card did not answer in time; check the cable and the port'],
  6007: ['SERIAL_NOT_PROVISIONED', 'the card has no keys or certificate yet; provision it first'],
  6008: ['SERIAL_UNTRUSTED', 'the host sent something not signed by the authority the card trusts'],
  6009: ['SERIAL_UNKNOWN_HASH', 'the card holds no record with this hash (pruned, or never in its chain)'],
  6010: ['SERIAL_ALREADY_PROVISIONED', 'the card already has a certificate; it cannot be provisioned again'],
  6011: ['SERIAL_PORT_MISSING', 'there is no serial port at this path; check the cable and `tally bridge list`'],
  6012: ['SERIAL_PORT_BUSY', 'the serial port is in use by another program'],
  6013: ['SERIAL_CARD_FAILURE', 'the card failed to run the command (a flash or internal error)'],
  6014: ['SERIAL_PORT_CLOSED', 'the serial port closed during the command (cable pulled?); run it again to resume'],
  6015: ['BRIDGE_AUTHORITY_UNREACHABLE', 'the authority could not be reached; check its URL and the network'],
  6016: ['BRIDGE_AUTHORITY_REPLY', 'the authority answered something malformed or not for this card'],
  6017: ['SERIAL_VERSION', 'the card speaks another version of the serial protocol'],
  6018: ['SERIAL_PORT_DENIED', 'this user may not open the serial port (on Linux: join the dialout group)'],
  // 7xxx: the authority (host/authority): requests, settlement, its PoA chain
  7001: ['AUTHORITY_BAD_JSON', 'the request body is not valid JSON'],
  7002: ['AUTHORITY_BAD_REQUEST', 'a request field is missing, unknown or of the wrong type'],
  7003: ['AUTHORITY_BODY_TOO_LARGE', 'the request body is larger than this endpoint accepts'],
  7004: ['AUTHORITY_NOT_FOUND', 'there is no such endpoint or resource'],
  7005: ['AUTHORITY_METHOD', 'this endpoint does not accept that method'],
  7006: ['AUTHORITY_UNKNOWN_ACCOUNT', 'no account has this id'],
  7007: ['AUTHORITY_UNKNOWN_CARD', 'no card with this id is enrolled'],
  7008: ['AUTHORITY_ACCOUNT_EXISTS', 'an account with this id already exists'],
  7009: ['AUTHORITY_CARD_EXISTS', 'this card is already enrolled with other keys or another account'],
  7010: ['AUTHORITY_CHALLENGE', 'the enrolment challenge is unknown, used or expired'],
  7011: ['AUTHORITY_FUNDS', 'the account balance does not cover this amount'],
  7012: ['AUTHORITY_CURRENCY', 'the currency differs from the one of the authority, account or card'],
  7013: ['AUTHORITY_REVOKED', 'the card is revoked'],
  7014: ['AUTHORITY_SEQUENCE', "the records do not continue the card's chain (sequence or previous hash)"],
  7015: ['AUTHORITY_CONFLICT', 'a record differs from the one already stored at its place'],
  7016: ['AUTHORITY_RECORD_OWNER', 'a record belongs to another card'],
  7017: ['AUTHORITY_EVIDENCE', "a record's evidence is not a valid statement for this card and place"],
  7018: ['AUTHORITY_REPLAYED', 'a load or acknowledgement is recorded again or out of order'],
  7019: ['AUTHORITY_UNKNOWN_CERT', 'a payment names a certificate serial that was never issued'],
  7020: ['AUTHORITY_RECEIPT_MISMATCH', 'a receipt does not match the payment attached to it'],
  7021: ['AUTHORITY_FRAUD', 'the upload proves fraud: a fraud proof is stored and the card is revoked'],
  7022: ['AUTHORITY_TOO_MANY_RECORDS', 'the batch holds more records than one sync accepts'],
  7023: ['AUTHORITY_KEY_FILE', 'the authority key file is malformed or readable by others'],
  7024: ['AUTHORITY_STORAGE', 'the database is not an authority database or was written by a newer version'],
  7025: ['AUTHORITY_FRAUD_PROOF', 'the fraud proof does not prove what it claims'],
  7026: ['AUTHORITY_BLOCK_FORMAT', 'the exported chain is not in the expected format'],
  7027: ['AUTHORITY_BLOCK_HASH', 'a block or event hash does not match its contents'],
  7028: ['AUTHORITY_BLOCK_MERKLE', "a block's Merkle root does not match its events"],
  7029: ['AUTHORITY_BLOCK_LINK', 'a block does not follow the previous one (height or previous hash)'],
  7030: ['AUTHORITY_BLOCK_SIGNATURE', 'a block lacks a quorum of valid authority signatures'],
  7031: ['AUTHORITY_BLOCK_EVENT', 'an event in the chain is invalid (signature, reference or order)'],
  7032: ['AUTHORITY_UNAVAILABLE', 'the authority is shutting down; try again'],
  7033: ['AUTHORITY_INTERNAL', 'an unexpected error on the authority; nothing was changed'],
  // 8xxx: the desktop simulator (simulator/)
  8001: ['SIM_OPTION', 'a simulator option is missing, malformed or out of range; see tally help'],
  8002: ['SIM_INVARIANT', 'the simulated run broke an invariant (value not conserved or a fraud not detected); see the report'],
  8003: ['SIM_OUTPUT', 'the simulator cannot write its output folder or files'],
  8004: ['SIM_XS_UNAVAILABLE', 'the XS engine is not available here; run npm ci (it builds xsnap-worker) and npm run build'],
  8005: ['SIM_QR_UNREADABLE', "the payer's camera could not decode the QR code from the payee's screen pixels"],
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
/** 4xxx: a payment session refused a message or was interrupted. */
export class PaymentError extends TallyError {}
/** 5xxx: the flash ledger. */
export class LedgerError extends TallyError {}
/** 7xxx: the authority refused a request, or its chain or a fraud proof does not verify. */
export class AuthorityError extends TallyError {}
/** 9xxx: a caller passed something the API does not accept. */
export class ArgumentError extends TallyError {
  constructor(field: string, expected: string) {
    super(9001, `${field}: expected ${expected}`);
  }
}

const classFor = (code: number): new (code: ErrorCode, detail?: string) => TallyError =>
  code < 2000
    ? EncodingError
    : code < 3000
      ? CryptoError
      : code < 4000
        ? ChannelError
        : code < 5000
          ? PaymentError
          : code < 6000
            ? LedgerError
            : code < 7000
              ? SerialError
              : code < 8000
                ? AuthorityError
                : TallyError;

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
