// One virtual card: the real core (Card facade + SerialCard) on a file-backed
// NOR flash image and a key file, with the world reaching it through ports.
// simulator/serial-card.ts puts it on a serial device; the desktop simulator
// can hold many and wire their radios too.
import { Card, SerialCard, type CardKeys, type CardOptions, type Random } from '../../firmware/core/index.js';
import { FileFlash } from './file-flash.js';
import { readKeyFile, writeKeyFile } from './key-file.js';

export interface VirtualCardOptions {
  /** Flash image (created erased when missing) and its size for a new image. */
  flashPath: string;
  flashBytes: number;
  /** Key store file; missing means a blank card that provisioning will key. */
  keyPath: string;
  /** Public keys of the authorities the card trusts (its firmware's). */
  authorities: Uint8Array[];
  random: Random;
  firmware: string;
  /** Extra Card options (screen, confirm, link, events) for simulators that use them. */
  card?: Partial<Pick<CardOptions, 'screen' | 'confirm' | 'link' | 'onEvent' | 'pin' | 'bleAddress'>>;
  /** Where the serial end sends its bytes (set later with `attach`). */
  send?: (bytes: Uint8Array) => void;
  log?: (line: string) => void;
}

const tick = { nowMs: () => performance.now() };

export class VirtualCard {
  card: Card | undefined;
  readonly flash: FileFlash;
  readonly serial: SerialCard;
  private sink: ((bytes: Uint8Array) => void) | undefined;

  constructor(private readonly o: VirtualCardOptions) {
    this.flash = FileFlash.open(o.flashPath, o.flashBytes);
    const keys = readKeyFile(o.keyPath);
    if (keys) this.card = this.boot(keys);
    this.sink = o.send;
    this.serial = new SerialCard({
      firmware: o.firmware,
      random: o.random,
      host: {
        card: () => this.card,
        provision: (k) => {
          writeKeyFile(o.keyPath, k);
          Card.format(this.flash);
          this.card = this.boot(k);
          o.log?.(`provisioned: card ${this.card.toJSON().cardId}`);
          return this.card;
        },
        send: (b) => this.sink?.(b),
      },
      onFault: (e) => o.log?.(`serial command failed: ${e instanceof Error ? e.message : String(e)}`),
    });
  }

  /** Where the card's serial bytes go (the open port), or nowhere. */
  attach(send: ((bytes: Uint8Array) => void) | undefined): void {
    this.sink = send;
  }

  close(): void {
    this.flash.close();
  }

  private boot(keys: CardKeys): Card {
    return Card.open({ ...this.o.card, keys, flash: this.flash, random: this.o.random, tick, authorities: this.o.authorities });
  }
}
