// What the card core asks the Screen port to show. The adapter (e-ink on the
// device, pixels in the simulator) lays them out; the core never draws.
export type CardView =
  /** Resting screen: what the card may still spend offline and what it has received. */
  | { screen: 'home'; available: number; received: number; currency: string; pending: number }
  /** Payee: the offer as a QR code (uri) or a tap advertisement. */
  | { screen: 'offer'; uri: string; mode: 'qr' | 'tap'; amount?: number; currency: string }
  /** Payee in tap mode, once the channel is up: the code the payer's holder compares. */
  | { screen: 'code'; code: string; amount: number; currency: string }
  /** Payer: the holder confirms (button, or PIN when `pin`). */
  | { screen: 'confirm'; amount: number; currency: string; payee: string; code?: string; pin: boolean; attemptsLeft?: number }
  | { screen: 'working'; step: 'connecting' | 'paying' | 'retrying' | 'crediting' }
  | { screen: 'done'; role: 'payer' | 'payee'; amount: number; currency: string; peer: string; recovered: boolean }
  | { screen: 'failed'; code: number; message: string; /** The peer's own code when the peer refused (code 4016). */ peerCode?: number }
  | { screen: 'locked'; waitMs: number };
