// A world for the bridge tests: one authority process, and virtual cards each
// on its own pseudo-terminal pair. A card is either "on the wire" (its
// serial-card process holds end a, the bridge opens end b) or "in hand" (the
// process stopped and the test opens the same flash and key files in-process,
// to pay or to fill its ledger).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  Card,
  encodeRecordBody,
  fromHex,
  type Link,
  type SessionOutcome,
} from '../../../firmware/core/index.js';
import { AuthorityClient, CardClient, SerialLink, type LinkOptions } from '../../../host/bridge/index.js';
import { cardRandom } from '../../../simulator/serial/random.js';
import { VirtualCard } from '../../../simulator/serial/virtual-card.js';
import { AuthorityProc, CardProc, Pty, tempDir } from './procs.js';

export interface WorldCard {
  name: string;
  pty: Pty;
  proc: CardProc;
  flash: string;
  keys: string;
  flashKib: number;
}

export class World {
  readonly dir = tempDir();
  readonly authority = new AuthorityProc(this.dir);
  readonly cards: WorldCard[] = [];
  private links: SerialLink[] = [];

  async start(): Promise<void> {
    await this.authority.start();
  }

  get client(): AuthorityClient {
    return new AuthorityClient(this.authority.url);
  }

  /** A blank card on its own pty pair, its process running. */
  async card(name: string, flashKib = 256): Promise<WorldCard> {
    const c: WorldCard = {
      name,
      pty: new Pty(join(this.dir, `${name}.a`), join(this.dir, `${name}.b`)),
      proc: undefined as unknown as CardProc,
      flash: join(this.dir, `${name}.img`),
      keys: join(this.dir, `${name}.key`),
      flashKib,
    };
    c.proc = new CardProc(c.pty.a, { flash: c.flash, keys: c.keys }, this.authority.publicKey, { flashKib });
    await c.pty.start();
    await c.proc.start();
    this.cards.push(c);
    return c;
  }

  /** Opens the bridge's end of a card's line. */
  async open(c: WorldCard, o: LinkOptions = {}): Promise<CardClient> {
    const link = await SerialLink.open(c.pty.b, { timeoutMs: 1000, retries: 3, ...o });
    this.links.push(link);
    return new CardClient(link);
  }

  /** Runs fn with the card in hand (its process stopped), then puts it back on the wire. */
  async inHand<T>(c: WorldCard, fn: (card: Card, vc: VirtualCard, confirm: ConfirmBox) => T | Promise<T>): Promise<T> {
    await c.proc.stop();
    const box: ConfirmBox = { pending: false };
    const vc = new VirtualCard({
      flashPath: c.flash, flashBytes: c.flashKib * 1024, keyPath: c.keys, authorities: [fromHex(this.authority.publicKey)],
      random: cardRandom(), firmware: 'test', card: { confirm: { request: () => void (box.pending = true) } },
    });
    try {
      return await fn(vc.card!, vc, box);
    } finally {
      vc.close();
      if (!c.pty.proc?.running) await c.pty.start();
      await c.proc.start();
    }
  }

  /** Both cards in hand: fn runs payments between them. */
  async inHand2<T>(a: WorldCard, b: WorldCard, fn: (a: HeldCard, b: HeldCard) => T): Promise<T> {
    return this.inHand(a, (ca, _va, boxA) => this.inHand(b, (cb, _vb, boxB) => fn({ card: ca, confirm: boxA }, { card: cb, confirm: boxB })));
  }

  /** Every payment in a card's history at the authority (GET /cards/:id/history, all pages). */
  async history(id: string): Promise<{ hash: string; role: string; amount: number; state: string }[]> {
    const out: { hash: string; role: string; amount: number; state: string; seq: number }[] = [];
    for (let after = 0; ; ) {
      const h = await this.authority.get(`/cards/${id}/history?after=${after}&limit=1000`);
      const page = h.records as typeof out;
      if (page.length === 0) return out;
      out.push(...page);
      after = page[page.length - 1]!.seq;
    }
  }

  async stop(): Promise<void> {
    for (const l of this.links) await l.close();
    for (const c of this.cards) {
      await c.proc.stop();
      await c.pty.stop();
    }
    await this.authority.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface ConfirmBox {
  pending: boolean;
}
export interface HeldCard {
  card: Card;
  confirm: ConfirmBox;
}

/** One payment between two cards in hand over an in-memory radio; the payer's and payee's outcomes. */
export function pay(payer: HeldCard, payee: HeldCard, amount: number): { payer: SessionOutcome | undefined; payee: SessionOutcome | undefined } {
  const queue: ({ to: HeldCard; bytes: Uint8Array } | { to: HeldCard; close: true })[] = [];
  const link = (to: HeldCard): Link => ({
    maxMessageBytes: 8192,
    send: (bytes) => void queue.push({ to, bytes: bytes.slice() }),
    close: () => void queue.push({ to, close: true }),
  });
  const s = payee.card.receive({ amount, link: link(payer) });
  const p = payer.card.pay(s.uri, { link: link(payee) });
  for (let steps = 0; steps < 100; steps++) {
    if (payer.confirm.pending) {
      payer.confirm.pending = false;
      payer.card.confirm({ accept: true });
      continue;
    }
    const next = queue.shift();
    if (!next) break;
    if ('close' in next) next.to.card.linkClosed();
    else next.to.card.deliver(next.bytes);
  }
  payer.card.linkClosed();
  payee.card.linkClosed();
  return { payer: p.outcome, payee: s.outcome };
}

/**
 * Appends `n` signed payments of `amount` to `payee` straight to the card's
 * ledger, as its payment sessions would write them (no radio: fast, for large
 * ledgers). Returns their count.
 */
export function fillLedger(card: Card, payee: Uint8Array, n: number, amount = 1): number {
  const l = card.ledger;
  const cert = l.certificate!;
  let spent = l.spent;
  for (let i = 0; i < n; i++) {
    const nonce = new Uint8Array(16);
    new DataView(nonce.buffer).setUint32(0, l.seq + 1);
    const body = encodeRecordBody({
      kind: 'payment', card: card.cardId, seq: l.seq + 1, prev: l.head, payee, amount, currency: cert.currency,
      spentBefore: spent, nonce, handshakeHash: new Uint8Array(32).fill(7), epoch: l.epoch, certSerial: cert.serial,
    });
    l.appendPayment(body, card.keys.signer.sign('payment', body));
    spent += amount;
  }
  return n;
}
