// What the app needs from the card, and what the card tells the app.
//
// The card core's payment sessions, ledger and Card facade are written
// alongside this app; `card-wiring.ts` adapts the facade to `CardPort` (the
// one place to change as the facade's API settles), and the tests use a fake.
// The app itself reaches the core only through its public index.
import type { CardView, ConfirmRequest, Link, TallyError } from '../core/index.js';
import type { HistoryEntry } from '../ui/views.js';

/** What the core asks the Screen port to show during a payment: the core's own CardView. */
export type CardScreen = CardView;

export interface CardStatus {
  /** Keys, certificate and trusted authorities are present. */
  provisioned: boolean;
  /** A short name for the title bar (the account, or the start of the card id). */
  label: string;
  /** The card's currency (ISO 4217). */
  currency: string;
  /** What the card may still spend offline, when provisioned. */
  available?: number;
}

export interface Offer {
  /** The pairing payload: a TALLY:PAY/1/... deep link, shown as the QR code and served over GATT. */
  uri: string;
  /** Manufacturer data for the BLE advertisement, at most 20 bytes (tap pairing hints). */
  advertisement?: Uint8Array;
}

/** Messages of one payment over one link. */
export interface CardSession {
  /** A complete message from the peer. */
  receive(message: Uint8Array): void;
  /** The link is gone (disconnect, or a message lost for good). */
  linkLost(error?: TallyError): void;
}

/** The holder's answer to a confirm request. */
export interface HolderAnswer {
  accept: boolean;
  pin?: string;
}

/** The card, as the app drives it. */
export interface CardPort {
  status(): CardStatus;
  /** The ledger's payments, newest first. */
  history(offset: number, limit: number): { entries: HistoryEntry[]; total: number };
  /**
   * Payee: a fresh one-time offer. `amount` undefined lets the payer choose;
   * 'tap' makes both screens show the comparison code once connected.
   */
  createOffer(amount: number | undefined, mode: 'qr' | 'tap'): Offer;
  /** Payee: withdraw the current offer; its token is void from now on. */
  cancelOffer(): void;
  /**
   * A peer is connected over `link`. As payee, a payer reached our current
   * offer; as payer (tap), we reached the payee whose offer is `offerUri`.
   */
  openSession(role: 'payee' | 'payer', link: Link, offerUri?: string): CardSession;
  /** The holder's answer to the confirm request the card made. */
  answerConfirm(answer: HolderAnswer): void;
}

/** How the card reaches the app while a payment runs (the app implements it). */
export interface CardListener {
  /** The core's Screen port, with the core's payment views. */
  show(view: CardScreen): void;
  /** The core's Confirm port: ask the holder (amount, the tap code, a PIN). */
  request(req: ConfirmRequest): void;
}
