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
export type { NoiseHandshake, NoiseTransport, NoiseKeyPair, NoiseConfig, NoiseProtocol, NoisePattern, NoisePskModifier } from './noise/index.js';
export { SerialError } from './errors.js';
export { crc32 } from './crc32.js';
export { encodeFrame, FrameDecoder, decodeChunk, cobsEncode, cobsDecode, FRAME_PAYLOAD_MAX } from './serial/frame.js';
export type { Frame, FrameEvent } from './serial/frame.js';
