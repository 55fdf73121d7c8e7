// The authority's settings, their defaults, and the fixed limits of its API.
// Every number carries its unit in its name.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

/** Where `tally authority start` keeps its database when --db is not given (git-ignored). */
export const DEFAULT_DB_PATH = join('data', 'authority.db');

export const KiB = 1024;
export const MiB = 1024 * KiB;
/** Largest sync request body. */
export const SYNC_BODY_MAX_BYTES = 4 * MiB;
/** Largest body of every other request. */
export const SMALL_BODY_MAX_BYTES = 16 * KiB;
/** Most records one sync request may carry. */
export const SYNC_RECORDS_MAX = 20_000;
/** Most payment hashes a sync request may ask the status of. */
export const STATUS_QUERY_MAX = 256;
/** Most payment statuses one sync response lists. */
export const STATUS_REPLY_MAX = 1024;
/** How long an enrolment challenge stays usable. */
export const CHALLENGE_TTL_MS = 5 * 60_000;
/** Time limits of one HTTP request. */
export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 60_000;

export interface AuthorityOptions {
  /** SQLite file; created with its folder on first start. */
  dbPath: string;
  /** The authority's Ed25519 key file (mode 0600); default: the db path + '.key'. */
  keyPath: string;
  /** Currency of every account and card of this authority (ISO 4217). */
  currency: string;
  /** A certificate is valid from the current epoch for this many epochs. */
  certValidityEpochs: number;
  /** At sync, a certificate with fewer epochs than this left is renewed. */
  certRenewMarginEpochs: number;
  /** Advance the epoch on a timer (0: only through POST /epoch). */
  epochIntervalMs: number;
  /** A block is sealed as soon as this many events wait. */
  blockEvents: number;
  /** Pending events are sealed into a block at least this often (0: only by count, on shutdown or by request). */
  blockIntervalMs: number;
  /** Signature verification threads (0: verify on the main thread). */
  workers: number;
  /** A sync with fewer signatures than this verifies on the main thread (posting to a worker costs more). */
  parallelThreshold: number;
  /** 'native' (node:crypto) on the hot path; 'noble' only for the naive benchmark baseline. */
  verifier: 'native' | 'noble';
  /** 'batch': one transaction per sync; 'record': one per record (naive benchmark baseline only). */
  transaction: 'batch' | 'record';
  /** Where the server writes its few log lines (never secrets). */
  log: (line: string) => void;
}

export function authorityOptions(partial: Partial<AuthorityOptions> = {}): AuthorityOptions {
  const dbPath = partial.dbPath ?? DEFAULT_DB_PATH;
  return {
    dbPath,
    keyPath: partial.keyPath ?? `${dbPath}.key`,
    currency: 'EUR',
    certValidityEpochs: 30,
    certRenewMarginEpochs: 5,
    epochIntervalMs: 0,
    blockEvents: 1000,
    blockIntervalMs: 2000,
    workers: Math.max(1, availableParallelism()),
    parallelThreshold: 32,
    verifier: 'native',
    transaction: 'batch',
    log: () => {},
    ...partial,
  };
}
