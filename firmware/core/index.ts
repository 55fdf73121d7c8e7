// The card core's public surface. Everything the firmware, the host tools,
// the simulator and the tests use comes from here; nothing imports deeper.
// The core imports neither Node nor Moddable: the world reaches it as ports.
export { ErrorTable, Code, TallyError, EncodingError, CryptoError, ChannelError, ArgumentError, tallyError } from './errors.js';
export type { ErrorCode } from './errors.js';
export { toHex, fromHex, concat, equalBytes, compareBytes, utf8, fromUtf8, toBase32, fromBase32 } from './bytes.js';
export type { Bytes } from './bytes.js';
export { encodeCanonical, decodeCanonical, validate as validateCanonical } from './cbor.js';
export type { CborValue, CborMap, CborKey, DecodeOptions } from './cbor.js';
export { MapReader } from './schema.js';
export { seal, unseal } from './sealed.js';
export type { Sealed } from './sealed.js';
export {
  Signer,
  DhKey,
  CardKeys,
  cardIdOf,
  keyIdOf,
  verifySignature,
  signedMessage,
  checkSignature,
  checkEd25519Key,
  KEY_BYTES,
  SIGNATURE_BYTES,
  CARD_ID_BYTES,
  KEY_ID_BYTES,
} from './identity.js';
export type { Random, SignTag } from './identity.js';
export {
  issueCertificate,
  decodeCertificate,
  verifyCertificate,
  trustedAuthorities,
  CERT_VERSION,
  CERT_MAX_BYTES,
  AMOUNT_MAX,
  ACCOUNT_PATTERN,
  CURRENCY_PATTERN,
} from './cert.js';
export type { Certificate, CertificateFields, CertificateCheck, TrustedAuthorities } from './cert.js';
export { encodePairing, decodePairing, pskFromToken, PAIRING_VERSION, TOKEN_BYTES, BLE_ADDRESS_BYTES, PAIRING_MAX_CHARS } from './pairing.js';
export type { PairingOffer } from './pairing.js';
export {
  Kind,
  HASH_BYTES,
  NONCE_BYTES,
  ZERO_HASH,
  RECORD_BODY_MAX_BYTES,
  STATEMENT_MAX_BYTES,
  REVOCATIONS_MAX,
  encodeRecordBody,
  decodeRecordBody,
  signRecord,
  recordHash,
  openSignedRecord,
  encodeSealedRecord,
  decodeSealedRecord,
  signedKinds,
  issueLoad,
  decodeLoad,
  issueAck,
  decodeAck,
  issueEpoch,
  decodeEpoch,
  issueRevocations,
  decodeRevocations,
  checkStatement,
} from './records.js';
export type { KindName, RecordBody, PaymentBody, ReceiptBody, ReceiptInBody, LoadBody, AckBody, ChainRecord, Load, Ack, EpochNote, Revocations } from './records.js';
export type { Flash, Link, Tick, Confirm, ConfirmRequest, Screen } from './ports.js';
export { createHandshake, x25519KeyPair, CipherState, NOISE_MAX_MESSAGE } from './noise/index.js';
export { LazyPattern, type TextPattern } from './pattern.js';
export type { NoiseHandshake, NoiseTransport, NoiseKeyPair, NoiseConfig, NoiseProtocol, NoisePattern, NoisePskModifier } from './noise/index.js';
export { SerialError } from './errors.js';
export { crc32 } from './crc32.js';
export { encodeFrame, FrameDecoder, decodeChunk, cobsEncode, cobsDecode, FRAME_PAYLOAD_MAX } from './serial/frame.js';
export type { Frame, FrameEvent } from './serial/frame.js';
export { enrolChallenge, requestEnrolment, decodeEnrolment, verifyEnrolment, ENROL_CHALLENGE_BYTES, ENROL_MAX_BYTES, type EnrolRequest, type EnrolChallenge } from './enrol.js';
// Payments between two cards, the flash ledger and the Card facade (issue 3).
export { PaymentError, LedgerError, AuthorityError } from './errors.js';
export {
  Ledger,
  FlashLog,
  checkStatementAny,
  encodeEntry,
  decodeEntry,
  toBase64url,
  fromBase64url,
  SECTOR_HEADER_BYTES,
  FRAME_HEADER_BYTES,
  RESERVED_SECTORS,
  MIN_SECTORS,
  PAY_FRAME_BOUND,
  RECEIPT_IN_FRAME_BOUND,
  CREDIT_FRAME_BOUND,
} from './ledger/index.js';
export type { LedgerRecord, PaymentOut, Credit, LedgerTotals, Anchor, LogFrame, LogSector, FlashStats, Entry, EntryType } from './ledger/index.js';
export {
  PayerSession,
  PayeeSession,
  Session,
  CertCache,
  NonceIssuer,
  PinGate,
  comparisonCode,
  isRevoked,
  Envelope,
  encodeEnvelope,
  decodeEnvelope,
  encodeMessage,
  decodeMessage,
  errorMessage,
  PAYMENT_PROTOCOL,
  PAYMENT_PROLOGUE,
  PIN_ATTEMPTS,
  PIN_BACKOFF_MS,
  PIN_BACKOFF_MAX_MS,
  APP_MESSAGE_MAX,
  LINK_MESSAGE_MAX,
} from './payment/index.js';
export type {
  PayRequest,
  HolderAnswer,
  ReceiveRequest,
  SessionOutcome,
  SessionHost,
  Role,
  EnvelopeType,
  EnvelopeMessage,
  AppMessage,
  Hello,
  Offer,
  PaymentMessage,
  ReceiptMessage,
  ErrorMessage,
  CardView,
} from './payment/index.js';
export { Card } from './card.js';
export type { CardOptions, CardEvent, CardStatus, HistoryItem } from './card.js';
// The serial command protocol between a card and its host bridge (issue 5).
export {
  SerialCard,
  SERIAL_PROTOCOL_VERSION,
  SERIAL_STATEMENT_MAX,
  DUMP_CHUNK_MIN,
  DUMP_CHUNK_MAX,
  DUMP_RECORDS_MAX,
  Command,
  applyCommands,
  encodeRequest,
  decodeRequest,
  peekCommand,
  encodeResult,
  encodeError,
  decodeResponse,
  isNotice,
  replyError,
  encodeKeyStore,
  decodeKeyStore,
  KEY_STORE_BYTES,
} from './serial/index.js';
export type {
  SerialCardHost,
  SerialCardOptions,
  SerialCardStats,
  CommandName,
  ApplyCommand,
  SerialRequest,
  InfoResult,
  DumpRecord,
  DumpResult,
  ApplyResult,
  ProvisionResult,
  ResultOf,
  SerialErrorReply,
  DecodedResponse,
} from './serial/index.js';
export { usePrimitives, activePrimitives, noblePrimitives, noblePrimitivesWith } from './primitives.js';
export type { Primitives, NobleOptions } from './primitives.js';
