// The app's wiring to the card core: the Card facade (payments, ledger,
// sync) and the serial command server (provisioning and sync over USB),
// behind the small CardPort the screen flow drives.
//
//   boot        keys from the key store (never the ledger region) + the ledger
//               flash + the trusted authority keys -> Card.open; a card without
//               keys boots blank and waits to be provisioned over serial
//   serial      SerialCard: frames in from the UART, commands run, frames out;
//               provisioning makes the keys on the card (hardware RNG), saves
//               their secrets in the key store, formats the ledger region and
//               opens the card
//   payee       card.receive({ amount, mode, link }) with a link that is bound
//               to the BLE connection once a payer connects (LateLink)
//   payer (tap) card.pay(offerUri, { mode: 'tap', link }) once connected
//   messages    card.deliver(bytes); a lost link is card.linkClosed()
//   holder      card.confirm({ accept, pin })
//
// The card draws through the flow (the core's Screen and Confirm ports are
// the flow's show and request).
import {
  BLE_ADDRESS_BYTES,
  Card,
  KEY_STORE_BYTES,
  LINK_MESSAGE_MAX,
  SerialCard,
  decodeKeyStore,
  encodeKeyStore,
  tallyError,
  type CardKeys,
  type Flash,
  type Link,
  type Random,
  type Tick,
} from '../core/index.js';
import type { HistoryEntry } from '../ui/views.js';
import type { CardListener, CardPort, CardSession, CardStatus, HolderAnswer, Offer } from './card-port.js';
import type { ByteStream } from './serial.js';

/** Where a card keeps its secret keys: the core's key store record (encodeKeyStore: the Ed25519 seed, then the X25519 secret). */
export interface KeyStore {
  load(): Uint8Array | null;
  save(secrets: Uint8Array): void;
}

export interface CardDeps {
  /** The ledger's flash region; null when the device has none. */
  flash: Flash | null;
  keyStore: KeyStore | null;
  /** Ed25519 public keys of the authorities this card trusts (from the build's config). */
  authorities: Uint8Array[];
  random: Random;
  tick: Tick;
  /** Where the card's payment sessions draw and ask: the app's flow. */
  listener: CardListener;
  /** The USB serial channel to the bridge, when the device has one. */
  serial: ByteStream | null;
  /** Reported by the serial `info` command. */
  firmware: string;
  /** This device's BLE address for its offers (6 bytes, most significant first), or null while unknown. */
  bleAddress?: () => Uint8Array | null;
  log?: (line: string) => void;
}

/** A Link whose BLE connection comes later: the payee's session exists from the offer on. */
export class LateLink implements Link {
  private target: Link | null = null;
  private closed = false;

  get maxMessageBytes(): number {
    return this.target?.maxMessageBytes ?? LINK_MESSAGE_MAX;
  }

  attach(link: Link): void {
    if (this.closed) {
      link.close();
      return;
    }
    this.target = link;
  }

  send(message: Uint8Array): void {
    if (!this.target || this.closed) throw tallyError(4015, 'no peer is connected');
    this.target.send(message);
  }

  close(): void {
    this.closed = true;
    this.target?.close();
  }
}

export class DeviceCard implements CardPort {
  private card: Card | undefined;
  private late: LateLink | null = null;
  private serialCard: SerialCard | null = null;

  constructor(private readonly deps: CardDeps) {
    this.card = this.boot();
    if (deps.serial) this.attachSerial(deps.serial);
  }

  /** The booted card, or undefined while it is blank. */
  get booted(): Card | undefined {
    return this.card;
  }

  status(): CardStatus {
    const card = this.card;
    if (!card) return { provisioned: false, label: 'Tally', currency: 'XXX' };
    const st = card.status();
    const provisioned = st.currency !== undefined;
    return {
      provisioned,
      label: `Card ${st.cardId.slice(0, 8)}`,
      currency: st.currency ?? 'XXX',
      ...(provisioned ? { available: st.available } : {}),
    };
  }

  history(offset: number, limit: number): { entries: HistoryEntry[]; total: number } {
    const card = this.card;
    if (!card) return { entries: [], total: 0 };
    const currency = card.status().currency ?? 'XXX';
    const payments = card.records().filter((r) => r.kind === 'payment' || r.kind === 'receipt');
    const total = payments.length;
    const entries: HistoryEntry[] = [];
    for (let i = total - 1 - offset; i >= 0 && entries.length < limit; i--) {
      const r = payments[i]!;
      entries.push({ direction: r.kind === 'payment' ? 'out' : 'in', amount: r.amount, currency, seq: r.seq });
    }
    return { entries, total };
  }

  createOffer(amount: number | undefined, mode: 'qr' | 'tap'): Offer {
    const card = this.need();
    const late = new LateLink();
    const address = this.deps.bleAddress?.() ?? null;
    const session = card.receive({
      ...(amount !== undefined ? { amount } : {}),
      ...(address && address.length === BLE_ADDRESS_BYTES ? { bleAddress: address } : {}),
      mode,
      link: late,
    });
    this.late = late;
    return { uri: session.uri };
  }

  cancelOffer(): void {
    const card = this.card;
    const s = card?.session;
    if (card && s && s.role === 'payee' && s.phase === 'offer') card.cancel();
    this.late = null;
  }

  openSession(role: 'payee' | 'payer', link: Link, offerUri?: string): CardSession {
    const card = this.need();
    if (role === 'payee') {
      const late = this.late;
      if (!late) {
        link.close();
        throw tallyError(4013, 'a payer connected but no offer is open');
      }
      late.attach(link);
    } else {
      if (!offerUri) {
        link.close();
        throw tallyError(1101, 'the payee served no offer');
      }
      card.pay(offerUri, { mode: 'tap', link });
    }
    return {
      receive: (message) => card.deliver(message),
      linkLost: () => card.linkClosed(),
    };
  }

  answerConfirm(answer: HolderAnswer): void {
    this.need().confirm(answer);
  }

  private need(): Card {
    if (!this.card) throw tallyError(6007, 'the card has no keys or certificate yet; provision it first');
    return this.card;
  }

  private boot(): Card | undefined {
    const { keyStore, flash } = this.deps;
    const secrets = keyStore?.load();
    if (!secrets || !flash) return undefined;
    if (secrets.length !== KEY_STORE_BYTES) {
      this.deps.log?.('key store: unexpected size, ignoring it');
      return undefined;
    }
    try {
      return this.open(decodeKeyStore(secrets), flash);
    } catch (e) {
      this.deps.log?.(`boot: ${e && typeof e === 'object' && 'code' in e ? `E${String((e as { code: unknown }).code)}` : 'failed'}`);
      return undefined;
    }
  }

  private open(keys: CardKeys, flash: Flash): Card {
    const listener = this.deps.listener;
    return Card.open({
      keys,
      flash,
      random: this.deps.random,
      tick: this.deps.tick,
      authorities: this.deps.authorities,
      screen: { show: (view) => listener.show(view) },
      confirm: { request: (req) => listener.request(req) },
      onEvent: (e) => {
        if (e.type === 'outcome') this.deps.log?.(`payment ${e.outcome.status}${e.outcome.status === 'failed' ? ` E${e.outcome.code}` : ''}`);
        else this.deps.log?.(`refused E${e.code}`);
      },
    });
  }

  private attachSerial(stream: ByteStream): void {
    const deps = this.deps;
    this.serialCard = new SerialCard({
      random: deps.random,
      firmware: deps.firmware,
      onFault: () => deps.log?.('serial: a command failed unexpectedly'),
      host: {
        card: () => this.card,
        provision: (keys) => {
          if (!deps.flash) throw tallyError(5004, 'this device has no ledger flash');
          if (!deps.keyStore) throw tallyError(6007, 'this device has no key store');
          if (deps.authorities.length === 0) throw tallyError(2003, 'the firmware was built without a trusted authority key');
          deps.keyStore.save(encodeKeyStore(keys));
          Card.format(deps.flash);
          this.card = this.open(keys, deps.flash);
          return this.card;
        },
        send: (bytes) => stream.write(bytes),
      },
    });
    const serialCard = this.serialCard;
    stream.onReceive = (bytes) => {
      serialCard.receive(bytes);
      // Provisioning and sync change what the home screen shows.
      this.card?.home();
    };
  }
}

/** The card as the app drives it. */
export function createCard(deps: CardDeps): CardPort {
  return new DeviceCard(deps);
}
