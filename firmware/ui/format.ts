// Amounts are integers in minor units everywhere (docs/protocol.md); only the
// screen turns them into decimals, with string arithmetic so no float ever
// touches money.

// ISO 4217 currencies whose minor unit is not 1/100.
const EXPONENT_0 = 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF';
const EXPONENT_3 = 'BHD IQD JOD KWD LYD OMR TND';

/** Digits after the decimal point for an ISO 4217 code (2 unless listed). */
export function currencyExponent(currency: string): number {
  if (/^[A-Z]{3}$/.test(currency)) {
    if (EXPONENT_0.includes(currency)) return 0;
    if (EXPONENT_3.includes(currency)) return 3;
  }
  return 2;
}

/** "1250" EUR -> "12.50"; "5" JPY -> "5"; negative amounts get a leading '-'. */
export function formatAmount(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor)) return '?';
  const exp = currencyExponent(currency);
  const sign = minor < 0 ? '-' : '';
  let digits = String(Math.abs(minor));
  if (exp === 0) return sign + digits;
  while (digits.length <= exp) digits = '0' + digits;
  return `${sign}${digits.slice(0, digits.length - exp)}.${digits.slice(digits.length - exp)}`;
}

/** "12.50 EUR". */
export function formatMoney(minor: number, currency: string): string {
  return `${formatAmount(minor, currency)} ${currency}`;
}

/**
 * The part of an error message a person reads. Core errors carry
 * "E4016 PAYMENT_PEER_ERROR: the peer refused ..." and the screens already show
 * the code on its own, so the "E<code> NAME: " prefix is dropped.
 */
export function errorText(message: string): string {
  const m = /^E\d{4} [A-Z0-9_]+: /.exec(message);
  return m ? message.slice(m[0].length) : message;
}
