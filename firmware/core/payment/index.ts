// Payments between two cards: public surface (re-exported by firmware/core/index.ts).
export { PayerSession } from './payer.js';
export type { PayRequest, HolderAnswer } from './payer.js';
export { PayeeSession } from './payee.js';
export type { ReceiveRequest } from './payee.js';
export { Session } from './session.js';
export type { SessionOutcome, SessionHost, Role } from './session.js';
export { CertCache, NonceIssuer, comparisonCode, isRevoked, PAYMENT_PROTOCOL, PAYMENT_PROLOGUE } from './common.js';
export { PinGate, PIN_ATTEMPTS, PIN_BACKOFF_MS, PIN_BACKOFF_MAX_MS } from './pin.js';
export {
  Envelope,
  encodeEnvelope,
  decodeEnvelope,
  encodeMessage,
  decodeMessage,
  errorMessage,
  APP_MESSAGE_MAX,
  LINK_MESSAGE_MAX,
} from './messages.js';
export type { EnvelopeType, EnvelopeMessage, AppMessage, Hello, Offer, PaymentMessage, ReceiptMessage, ErrorMessage } from './messages.js';
export type { CardView } from './views.js';
