// The serial link's public surface (re-exported by firmware/core/index.ts).
export { SerialCard } from './server.js';
export type { SerialCardHost, SerialCardOptions, SerialCardStats } from './server.js';
export {
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
} from './protocol.js';
export type {
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
} from './protocol.js';
export { encodeKeyStore, decodeKeyStore, KEY_STORE_BYTES } from './keystore.js';
