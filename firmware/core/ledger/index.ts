// The flash JSON ledger: public surface (re-exported by firmware/core/index.ts).
export { Ledger, checkStatementAny, PAY_FRAME_BOUND, RECEIPT_IN_FRAME_BOUND, CREDIT_FRAME_BOUND } from './ledger.js';
export type { LedgerRecord, PaymentOut, Credit, LedgerTotals } from './ledger.js';
export { FlashLog, SECTOR_HEADER_BYTES, FRAME_HEADER_BYTES, RESERVED_SECTORS, MIN_SECTORS } from './flash-log.js';
export type { Anchor, LogFrame, LogSector, FlashStats } from './flash-log.js';
export { encodeEntry, decodeEntry } from './entries.js';
export type { Entry, EntryType } from './entries.js';
export { toBase64url, fromBase64url } from './base64url.js';
