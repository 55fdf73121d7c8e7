// The authority's errors are the core's coded errors (7xxx and the core's own
// 1xxx/2xxx for bytes and signatures). This file throws them and maps each
// code to its HTTP status.
import { tallyError, type ErrorCode } from '../../firmware/core/index.js';

/** Throws the coded error (an AuthorityError for 7xxx). */
export function refuse(code: ErrorCode, detail = ''): never {
  throw tallyError(code, detail);
}

const statusByCode: Partial<Record<number, number>> = {
  7003: 413, 7022: 413,
  7004: 404, 7006: 404, 7007: 404,
  7005: 405,
  7008: 409, 7009: 409, 7011: 409, 7012: 409, 7014: 409, 7015: 409, 7018: 409, 7021: 409,
  7013: 403,
  7032: 503,
  7033: 500, 7023: 500, 7024: 500,
};

/** HTTP status of a coded error: 400 unless the table says otherwise. */
export function httpStatusOf(code: number): number {
  return statusByCode[code] ?? (code >= 1000 && code < 10000 ? 400 : 500);
}
