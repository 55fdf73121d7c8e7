// The ports: the only ways the card core reaches the world. Each program
// passes in adapters (Moddable modules on the device, simulated hardware in
// the simulator, fakes in tests). The core calls them synchronously; events
// from the world (a message arrives, the button is pressed) are calls into
// the core's state machines, so the core itself never waits on anything.
import type { Random } from './identity.js';

export type { Random };

/** NOR flash: erase sets a 4 KiB sector to 0xFF; a write can only clear bits. */
export interface Flash {
  /** Total bytes of the region the ledger owns; a multiple of sectorBytes. */
  readonly sizeBytes: number;
  /** Erase granularity, 4096 on the ESP32. */
  readonly sectorBytes: number;
  read(offset: number, length: number): Uint8Array;
  /** Programs bytes: every resulting bit is the AND of the old and the new. */
  write(offset: number, data: Uint8Array): void;
  eraseSector(sector: number): void;
}

/** Ordered, reliable-or-not message link (BLE GATT, a test pipe). */
export interface Link {
  /** Largest message the core may send in one piece; the adapter fragments below it to the MTU. */
  readonly maxMessageBytes: number;
  send(message: Uint8Array): void;
  /** The core closes the link when its session ends (done or failed); the program reports a drop with card.linkClosed(). */
  close(): void;
}

/** A monotonic millisecond tick; not wall time (cards have no trusted clock). */
export interface Tick {
  nowMs(): number;
}

/** What the holder is asked to confirm. */
export interface ConfirmRequest {
  amount: number;
  currency: string;
  /** Present for tap pairing: the 4-digit code both screens show. */
  code?: string;
  /** Present when the card asks for a PIN instead of a button press. */
  pin?: boolean;
}

/** The holder's confirmation: a button press or a PIN, answered later through the session. */
export interface Confirm {
  request(req: ConfirmRequest): void;
}

/** The screen shows views (the core's are `CardView`, firmware/core/payment/views.ts); drawing them is the adapter's job (same layout code on device and simulator). */
export interface Screen<View = unknown> {
  show(view: View): void;
}
