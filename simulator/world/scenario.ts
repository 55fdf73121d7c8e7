// The scenario runner: a world of simulated cards that pay each other
// offline, get cloned, lose power, lose radio packets, and sync through the
// host bridge with an embedded authority; then an audit and a report.
//
//   provisioning  every card is made blank, provisioned by the bridge's own
//                 code (keys made on the card, enrolment at the authority),
//                 loaded from its account and synced once
//   payments      payers start payments at random (Poisson, ratePerCardHour
//                 each); the payee is one of the payer's usual places (its
//                 neighbours on a ring, 90 %) or anyone (10 %); QR or tap; a
//                 failed session is tried again by the holders (the card
//                 finishes a debited payment by itself), up to 3 sessions
//   syncs         every card every syncEveryHours (its own phase), through the
//                 bridge's sync code over a simulated USB cable; a card low on
//                 allowance is topped up from its account first
//   clones        a cloned card's key store and flash are copied into a second
//                 device, which goes on a spending spree; the original keeps
//                 paying, so the two sign different records at the same
//                 sequence numbers: a double spend
//   epochs        the authority advances its epoch every simulated day
//   end           every card that can syncs once more; then the audit
//
// Everything random comes from the seed, and every step runs in one order,
// so the same seed gives the same report (bar the `host` section: wall time).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorTable, TallyError, activePrimitives, fromHex, tallyError, usePrimitives } from '../../firmware/core/index.js';
import { fraudProofs, totals } from '../../host/authority/reads.js';
import { auditWorld } from './audit.js';
import type { CardClient } from '../../host/bridge/index.js';
import type { Outcome } from '../card/host.js';
import type { CardDriver, CardSpec, Engine } from '../engine/driver.js';
import { V8Card } from '../engine/v8.js';
import { checkOptions, type ScenarioOptions } from '../options.js';
import { DEFAULT_RADIO, type RadioParams } from '../radio/ble.js';
import { Clock } from '../radio/clock.js';
import { Rng } from '../random.js';
import { CardScreen } from '../screen/eink.js';
import { simQr } from '../screen/qr.js';
import { EmbeddedAuthority, scratchAuthorityDir } from './authority.js';
import { COMPUTRONS, ESP32_COMPUTRONS_PER_MS, FLASH_ERASE_MS, FLASH_PAGE_MS } from './compute-model.js';
import { simCrypto, type SimCrypto } from './crypto.js';
import { runSession, type SessionResult } from './session.js';
import { UsbCable } from './usb.js';

const HOUR = 3_600_000;
/** Each account's opening deposit and each card's first load (minor units). */
export const MONEY = { deposit: 1_000_000_00, load: 500_00 } as const;
/** Payment amounts: log-uniform between these (minor units). */
const AMOUNT: [number, number] = [1_00, 50_00];
const MAX_SESSIONS = 3;
const NEIGHBOURS = 4;
const FIRMWARE = 'tally-sim 0.1.0';
/** Codes after which the holders do not try again (the card or the payee refused). */
const FINAL = new Set([2003, 2004, 2005, 4001, 4002, 4003, 4004, 4008, 4011, 4018, 4019, 4020, 5002, 6007]);

export interface SimCard {
  i: number;
  name: string;
  account: string;
  id: string;
  driver: CardDriver;
  screen: CardScreen;
  address: Uint8Array;
  cable: UsbCable;
  client: CardClient;
  /** The world time the card is next free (a payment or sync under way until then). */
  busyUntil: number;
  /** Its USB clock while syncing. */
  usbNow: number;
  neighbours: number[];
  /** This device is a clone of card `of`. */
  cloneOf?: number;
  /** For a cloned card: what happened to it. */
  fraud?: FraudTrack;
  /** Its sync was refused for good (revoked): the holder stops using it. */
  retired: boolean;
  /** Its spent total at its last sync (the auto-reload looks at the spending since). */
  spent: number;
}

interface FraudTrack {
  clonedAt: number;
  clone?: SimCard;
  /** First payment the clone got credited. */
  firstCloneCredit?: number;
  /** First record the original signed after it was cloned. */
  firstOriginalSigned?: number;
  /** Sync (world time) after which the authority had revoked the card. */
  detectedAt?: number;
  cloneAccepted: number;
  cloneAmount: number;
}

export interface Report {
  seed: string;
  engine: Engine;
  cards: number;
  clones: number;
  faults: ScenarioOptions['faults'];
  syncEveryHours: number;
  simulatedHours: number;
  payments: {
    attempted: number;
    completed: number;
    failed: number;
    failedByReason: Record<string, number>;
    /** Failed payments whose debit is on the payer's card: the authority settles them from the payer's half. */
    inFlight: number;
    sessions: number;
    /** Payments completed by a later session (a retry). */
    retried: number;
    qr: { attempted: number; completed: number; decodedFromPixels: number };
    tap: { attempted: number; completed: number; codesMatched: number };
  };
  clonePayments: { attempted: number; accepted: number; amount: number; refusedByReason: Record<string, number> };
  conservation: {
    ok: boolean;
    checks: { name: string; ok: boolean; detail: string }[];
    deposits: number;
    loads: number;
    accountBalances: number;
    cardHeadroom: number;
    settled: { count: number; amount: number };
    rejected: { count: number; amount: number };
    /** Value honest payees accepted from clones that the authority could not settle. */
    fraudLoss: number;
  };
  frauds: {
    injected: number;
    detected: number;
    undetected: string[];
    revokedCards: number;
    timeToDetectionHours: { p50: number | null; max: number | null; mean: number | null };
  };
  latencyMs: { p50: number | null; p95: number | null; p99: number | null; mean: number | null; computeShare: number | null };
  radio: { connections: number; packets: number; lost: number; drops: number; meanMtu: number | null };
  syncs: { count: number; records: number; failedByReason: Record<string, number>; usbSeconds: number };
  compute: {
    model: string;
    computronsPerMs: number;
    /** Per completed payment, each side (modelled from operation counts on V8, metered on XS). */
    computronsPerPayment: { payer: { mean: number | null; p50: number | null }; payee: { mean: number | null; p50: number | null } };
  };
  xs?: { computronsPerPayment: { payer: { mean: number | null; p50: number | null }; payee: { mean: number | null; p50: number | null }; total: { mean: number | null; p50: number | null } } };
  notes: string[];
  host: {
    wallSeconds: number;
    paymentsPerSecond: number;
    peakRssMB: number;
    crypto: string;
    memo: { hits: number; computed: number };
    /** Wall seconds by phase: provisioning, payment sessions (cards' core + radio model), syncs (bridge + authority), audit. */
    seconds: { provisioning: number; sessions: number; syncs: number; audit: number };
  };
}

export interface RunHooks {
  /** Progress and diagnostics (never secrets). */
  log?: (line: string) => void;
  /** Called with the world after provisioning (tests inspect cards). */
  onWorld?: (w: { cards: SimCard[]; authority: EmbeddedAuthority }) => void;
}

const codeName = (code: number): string => {
  const row = (ErrorTable as Record<number, readonly [string, string]>)[code];
  return row ? `E${code} ${row[0]}` : `E${code}`;
};

function percentile(xs: number[], p: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const round = (x: number | null, d = 1): number | null => (x === null ? null : Math.round(x * 10 ** d) / 10 ** d);
const bump = (m: Record<string, number>, k: string, n = 1): void => void (m[k] = (m[k] ?? 0) + n);

/** Why a session failed, from the payer's side (the payee's when the payer had nothing to say). */
function reasonOf(r: SessionResult): { reason: string; code: number } {
  const p = r.payer;
  if (p.dead) return { reason: 'power cut (payer)', code: 0 };
  if (r.payee.dead) return { reason: 'power cut (payee)', code: 0 };
  if (p.error) return { reason: codeName(p.error.code), code: p.error.code };
  const o = p.outcome;
  if (o && o.status === 'failed') {
    if (o.code === 4016 && o.peerCode !== undefined) return { reason: `${codeName(o.peerCode)} (payee refused)`, code: o.peerCode };
    return { reason: codeName(o.code), code: o.code };
  }
  const e = r.payee.error ?? (r.payee.outcome?.status === 'failed' ? r.payee.outcome : undefined);
  if (e) return { reason: `${codeName(e.code)} (payee)`, code: e.code };
  return { reason: 'no outcome', code: 0 };
}

export async function runScenario(input: ScenarioOptions, hooks: RunHooks = {}): Promise<Report> {
  const o = checkOptions({ ...input, faults: { ...input.faults }, ...(input.radio ? { radio: { ...input.radio } } : {}) });
  const log = hooks.log ?? (() => {});
  if (o.dataDir !== undefined && existsSync(join(o.dataDir, 'authority.db'))) {
    throw tallyError(8003, `${o.dataDir} already holds an authority database: give --data a new folder`);
  }
  const wall0 = performance.now();
  let peakRss = process.memoryUsage().rss;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);
  rssTimer.unref();
  const crypto: SimCrypto = simCrypto({ memo: o.memo });
  const previous = activePrimitives();
  usePrimitives(crypto.primitives);
  const temp = o.dataDir === undefined ? scratchAuthorityDir() : undefined;
  const dir = o.dataDir ?? temp!.path;
  const rng = new Rng(`sim/${o.seed}`);
  const radio: RadioParams = { ...DEFAULT_RADIO, ...o.radio, loss: o.faults.radioLoss, disconnect: o.faults.disconnect };
  let auth: EmbeddedAuthority | undefined;
  const cards: SimCard[] = [];
  const clones: SimCard[] = [];
  try {
    // The simulation authority's key comes from the seed too (noble's verification time in XS
    // depends on the signatures, so metered runs repeat only with the same key).
    auth = EmbeddedAuthority.open({ dir, keySeed: rng.fork('authority-key').bytes(32), log: (l) => log(`authority: ${l}`) });
    const a = auth;
    const ctx = a.authority.ctx;

    // ---- the cards ------------------------------------------------------------
    const makeDriver = async (spec: CardSpec): Promise<CardDriver> => {
      if (o.engine === 'v8') return new V8Card(spec, crypto);
      const { XsCard } = await import('../engine/xs.js');
      return XsCard.start(spec);
    };
    const addrRng = rng.fork('ble-addresses');
    const newCard = (i: number, name: string, driver: CardDriver, address: Uint8Array, account: string): SimCard => {
      const c: SimCard = {
        i, name, account, id: '', driver, address,
        screen: new CardScreen(simQr, name),
        cable: undefined as unknown as UsbCable,
        client: undefined as unknown as CardClient,
        busyUntil: 0, usbNow: 0, neighbours: [], retired: false, spent: 0,
      };
      c.cable = new UsbCable((bytes) => c.driver.serial(c.usbNow, bytes));
      c.client = c.cable.client();
      return c;
    };
    const secs = { provisioning: 0, sessions: 0, syncs: 0, audit: 0 };
    const t0 = performance.now();
    log(`provisioning ${o.cards} cards (${o.engine})`);
    for (let i = 0; i < o.cards; i++) {
      const address = addrRng.bytes(6);
      const name = `card${i}`;
      const driver = await makeDriver({ seed: `${o.seed}/${name}`, sectors: o.sectors, authorities: [a.publicKey], firmware: FIRMWARE, bleAddress: address });
      const c = newCard(i, name, driver, address, `acct${i}`);
      cards.push(c);
      a.authority.openAccount(c.account, 'EUR', MONEY.deposit);
      const p = await a.provision(c.client, c.account);
      c.id = p.card;
      a.authority.load(fromHex(c.id), MONEY.load);
      await a.sync(c.client);
    }
    // Usual places: neighbours on a ring in a shuffled order.
    const order = rng.fork('ring').shuffle(cards.map((_, i) => i));
    const pos = new Map(order.map((c, k) => [c, k]));
    for (const c of cards) {
      const k = pos.get(c.i)!;
      const set = new Set<number>();
      for (let d = 1; d <= NEIGHBOURS; d++) for (const s of [k + d, k - d]) set.add(order[(s + o.cards * 8) % o.cards]!);
      set.delete(c.i);
      c.neighbours = [...set];
    }
    secs.provisioning = (performance.now() - t0) / 1000;
    hooks.onWorld?.({ cards, authority: a });

    // ---- bookkeeping ----------------------------------------------------------
    const pay = {
      attempted: 0, completed: 0, failed: 0, failedByReason: {} as Record<string, number>, inFlight: 0, sessions: 0, retried: 0,
      qr: { attempted: 0, completed: 0, decodedFromPixels: 0 }, tap: { attempted: 0, completed: 0, codesMatched: 0 },
    };
    const clonePay = { attempted: 0, accepted: 0, amount: 0, refusedByReason: {} as Record<string, number> };
    const latencies: number[] = [];
    const computeShares: number[] = [];
    const payerCost: number[] = [];
    const payeeCost: number[] = [];
    const radioStats = { connections: 0, packets: 0, lost: 0, drops: 0, mtuSum: 0 };
    const syncStats = { count: 0, records: 0, failedByReason: {} as Record<string, number>, usbMs: 0 };
    /** Payment hashes credited by honest payees, and debited by honest payers (completed). */
    const credited = new Map<string, { amount: number; payer: number; payee: number }>();
    const completedBy = new Map<string, number>();
    let lastFraudId = 0;
    let sessionNo = 0;
    const clock = new Clock(0);
    const sessionRng = rng.fork('sessions');
    const choice = rng.fork('choices');
    const faultRng = rng.fork('faults');

    const reboot = async (c: SimCard, at: number): Promise<void> => {
      const t = at + 2000 + faultRng.next() * 8000;
      await c.driver.reboot(t);
      c.busyUntil = Math.max(c.busyUntil, t);
    };

    /** Checks the authority's fraud proofs after a sync: the revoked cards' detection time. */
    const pollFrauds = (at: number): void => {
      for (;;) {
        const list = fraudProofs(ctx, lastFraudId, 1000).fraudProofs;
        if (list.length === 0) return;
        for (const f of list) {
          lastFraudId = f.id;
          for (const c of cards) if (c.id === f.card && c.fraud && c.fraud.detectedAt === undefined) c.fraud.detectedAt = at;
        }
      }
    };

    // ---- one payment (with the holders' retries) --------------------------------
    const payment = async (payer: SimCard, payee: SimCard, amount: number, mode: 'qr' | 'tap', start: number): Promise<void> => {
      const byClone = payer.cloneOf !== undefined;
      if (byClone) clonePay.attempted++;
      else {
        pay.attempted++;
        pay[mode].attempted++;
      }
      let t = start;
      let wrote = false;
      for (let n = 1; ; n++) {
        const side = faultRng.chance(0.5) ? 'payer' : 'payee';
        const cut = faultRng.chance(o.faults.powerCut)
          ? { side: side as 'payer' | 'payee', plan: { write: faultRng.range(1, side === 'payer' ? 2 : 1), mode: faultRng.pick(['before', 'after', 'torn', 'torn-header'] as const) } }
          : undefined;
        if (!byClone) pay.sessions++;
        const ts = performance.now();
        const r = await runSession({
          start: t, payer, payee, amount, mode, radio, rng: sessionRng.fork(String(sessionNo++)),
          ...(cut ? { cut } : {}), bystanders: choice.int(3),
        });
        secs.sessions += (performance.now() - ts) / 1000;
        radioStats.connections += r.mtu !== undefined ? 1 : 0;
        radioStats.packets += r.packets;
        radioStats.lost += r.lost;
        radioStats.drops += r.drops;
        radioStats.mtuSum += r.mtu ?? 0;
        if (r.payer.wrote) wrote = true;
        payer.busyUntil = Math.max(payer.busyUntil, r.end);
        payee.busyUntil = Math.max(payee.busyUntil, r.end);
        if (r.payer.dead) await reboot(payer, r.end);
        if (r.payee.dead) await reboot(payee, r.end);
        const po = r.payee.outcome;
        if (po?.status === 'done') {
          if (!credited.has(po.paymentHash)) credited.set(po.paymentHash, { amount: po.amount, payer: payer.cloneOf ?? payer.i, payee: payee.i });
          if (byClone) {
            const f = cards[payer.cloneOf!]!.fraud!;
            if (!po.recovered) {
              clonePay.accepted++;
              clonePay.amount += po.amount;
              f.cloneAccepted++;
              f.cloneAmount += po.amount;
              f.firstCloneCredit ??= r.end;
            }
          } else noteSigned(payee, r.end, po);
        }
        if (mode === 'qr' && r.qrDecoded) pay.qr.decodedFromPixels++;
        if (mode === 'tap' && r.codesMatched) pay.tap.codesMatched++;
        const done = r.payer.outcome?.status === 'done' ? r.payer.outcome : undefined;
        if (done) {
          if (!byClone) {
            noteSigned(payer, r.end, done);
            pay.completed++;
            pay[mode].completed++;
            if (n > 1) pay.retried++;
            completedBy.set(done.paymentHash, payer.i);
            if (r.latencyMs !== undefined) {
              latencies.push(r.latencyMs);
              computeShares.push((r.computeMs ?? 0) / r.latencyMs);
            }
            payerCost.push(r.payer.computrons);
            payeeCost.push(r.payee.computrons);
          }
          return;
        }
        const why = reasonOf(r);
        const retry = !byClone && n < MAX_SESSIONS && !FINAL.has(why.code) && !payer.retired && !payee.retired;
        if (!retry) {
          if (byClone) bump(clonePay.refusedByReason, why.reason);
          else {
            pay.failed++;
            bump(pay.failedByReason, why.reason);
            if (wrote && !r.payer.dead && ((await payer.driver.status())?.pending ?? 0) > 0) pay.inFlight++;
          }
          return;
        }
        // The holders try again a little later (the payer's card resends a debited payment itself).
        t = Math.max(payer.busyUntil, payee.busyUntil) + 5000 + faultRng.next() * 15000;
      }
    };

    /** A card of a cloned pair signed a record after the cloning. */
    const noteSigned = (c: SimCard, at: number, out: Outcome): void => {
      const f = c.fraud;
      if (f && at >= f.clonedAt && out.status === 'done' && !out.recovered) f.firstOriginalSigned ??= at;
    };

    // ---- sync ---------------------------------------------------------------------
    const sync = async (c: SimCard, at: number, final = false): Promise<void> => {
      if (c.retired || c.driver.dead) return;
      const t = Math.max(at, c.busyUntil);
      // Auto-reload: keep at least twice what the card spent since its last sync (and the first load).
      const st = await c.driver.status();
      if (st) {
        const target = Math.max(MONEY.load, 2 * (st.spent - c.spent));
        if (st.available < target) {
          const amount = Math.ceil((1.5 * target - st.available) / 100_00) * 100_00;
          try {
            a.authority.load(fromHex(c.id), amount);
          } catch (e) {
            if (!(e instanceof TallyError)) throw e;
          }
        }
        c.spent = st.spent;
      }
      const cut = !final && faultRng.chance(o.faults.powerCut);
      if (cut) await c.driver.armCut(faultRng.chance(0.5) ? { erase: 1 } : { write: faultRng.range(1, 3), mode: faultRng.pick(['before', 'after', 'torn'] as const) });
      const wire0 = c.cable.wireMs;
      const ts = performance.now();
      c.usbNow = t;
      try {
        const s = await a.sync(c.client);
        syncStats.count++;
        syncStats.records += s.uploaded;
      } catch (e) {
        if (!(e instanceof TallyError)) throw e;
        bump(syncStats.failedByReason, codeName(e.code));
        if (e.code === 7021 || e.code === 7013) retire(c);
      }
      secs.syncs += (performance.now() - ts) / 1000;
      if (cut && !c.driver.dead) await c.driver.disarm();
      const end = t + (c.cable.wireMs - wire0) + 200;
      syncStats.usbMs += c.cable.wireMs - wire0;
      c.busyUntil = Math.max(c.busyUntil, end);
      if (c.driver.dead) await reboot(c, end);
      pollFrauds(end);
    };

    // ---- the schedule -------------------------------------------------------------
    const honest = cards;
    const meanGap = HOUR / (o.cards * o.ratePerCardHour);
    const expectedHours = (o.payments * meanGap) / HOUR;
    let budget = o.payments;
    let outstanding = 0;
    let spree = 0;
    const usable = (c: SimCard): boolean => !c.retired;
    /** The honest cards still in use (a card leaves it when its sync is refused for good). */
    let active = honest.filter(usable);
    const retire = (c: SimCard): void => {
      c.retired = true;
      active = active.filter((x) => x !== c);
    };
    const amountOf = (): number => Math.round(Math.exp(Math.log(AMOUNT[0]) + choice.next() * (Math.log(AMOUNT[1]) - Math.log(AMOUNT[0]))));

    /** A payment intent: a payer (or a given one) decides to pay now. */
    const intent = (forced?: SimCard): void => {
      outstanding++;
      const run = async (payerGiven: SimCard | undefined, tries: number): Promise<void> => {
        const now = clock.now;
        const candidates = active;
        if (candidates.length < 2) {
          outstanding--;
          return;
        }
        const payer = payerGiven ?? choice.pick(candidates);
        if (payer.busyUntil > now || payer.driver.dead) {
          clock.at(Math.max(payer.busyUntil, now + 1000), () => run(payer, tries));
          return;
        }
        let payee: SimCard | undefined;
        for (let k = 0; k < 6 && !payee; k++) {
          const pick = choice.chance(0.9) ? honest[choice.pick(payer.neighbours)]! : choice.pick(candidates);
          if (pick !== payer && usable(pick) && pick.busyUntil <= now && !pick.driver.dead) payee = pick;
        }
        if (!payee) {
          if (tries < 20) clock.after(60_000, () => run(payer, tries + 1));
          else outstanding--;
          return;
        }
        const amount = amountOf();
        const mode = choice.chance(o.qrShare) ? 'qr' : 'tap';
        await payment(payer, payee, amount, mode, now);
        if ((pay.attempted & 127) === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss());
        outstanding--;
        const done = pay.attempted;
        if (o.progressEvery && done % o.progressEvery === 0) log(`${done} payments, ${pay.completed} completed, ${round(clock.now / HOUR)} h simulated`);
      };
      clock.after(0, () => run(forced, 0));
    };

    const nextIntent = (): void => {
      if (budget <= 0) return;
      clock.after(choice.exp(meanGap), () => {
        if (budget <= 0) return;
        budget--;
        intent();
        nextIntent();
      });
    };
    nextIntent();

    // Periodic syncs, each card at its own phase.
    const syncEvery = o.syncEveryHours * HOUR;
    const phase = rng.fork('sync-phase');
    let finishing = false;
    for (const c of cards) {
      const tick = async (): Promise<void> => {
        if (finishing) return;
        await sync(c, clock.now);
        if (!finishing) clock.after(syncEvery, tick);
      };
      clock.at(phase.next() * syncEvery, tick);
    }
    // Epochs: one a day.
    const epochTick = (): void => {
      if (finishing) return;
      a.authority.advanceEpoch();
      clock.after(24 * HOUR, epochTick);
    };
    clock.at(24 * HOUR, epochTick);

    // Clones: chosen cards get copied during the first half of the run.
    const cloneRng = rng.fork('clones');
    const victims = cloneRng.shuffle(cards.map((c) => c.i)).slice(0, o.clones);
    const neverCloned = cards.filter((c) => !victims.includes(c.i));
    victims.forEach((v, k) => {
      const orig = cards[v]!;
      const at = (0.1 + 0.4 * cloneRng.next()) * expectedHours * HOUR;
      spree++;
      const make = async (): Promise<void> => {
        if (orig.busyUntil > clock.now || orig.driver.dead) {
          clock.at(Math.max(orig.busyUntil, clock.now + 1000), make);
          return;
        }
        const driver = await orig.driver.clone(`${o.seed}/clone${k}`);
        const clone = newCard(cards.length + clones.length, `${orig.name}-clone`, driver, cloneRng.bytes(6), orig.account);
        clone.id = orig.id;
        clone.cloneOf = orig.i;
        clones.push(clone);
        orig.fraud = { clonedAt: clock.now, clone, cloneAccepted: 0, cloneAmount: 0 };
        // The owner, unaware, pays again soon: the two cards now sign different records at the same seqs.
        if (budget > 0) {
          budget--;
          clock.after(cloneRng.exp(20 * 60_000), () => intent(orig));
        }
        // The clone's spree: payments to cards that were not cloned.
        let left = o.cloneSpree;
        const spend = async (): Promise<void> => {
          if (clone.busyUntil > clock.now || clone.driver.dead) {
            clock.at(Math.max(clone.busyUntil, clock.now + 1000), spend);
            return;
          }
          const payee = cloneRng.pick(neverCloned.filter((c) => usable(c) && c.busyUntil <= clock.now && !c.driver.dead));
          if (payee) await payment(clone, payee, amountOf(), cloneRng.chance(o.qrShare) ? 'qr' : 'tap', clock.now);
          if (--left > 0) clock.after(cloneRng.exp(10 * 60_000), spend);
          else spree--;
        };
        clock.after(cloneRng.exp(10 * 60_000), spend);
      };
      clock.at(at, make);
    });

    await clock.run(Infinity, () => budget <= 0 && outstanding === 0 && spree === 0);
    finishing = true;
    const endOfPayments = clock.now;

    // ---- the end: every card syncs once more ----------------------------------------
    for (const c of cards) if (c.driver.dead) await reboot(c, endOfPayments);
    // The last sync of each card is not cut (a card whose sync failed before tries once more).
    for (const c of cards) {
      const before = syncStats.count;
      await sync(c, Math.max(endOfPayments, c.busyUntil), true);
      if (syncStats.count === before && !c.retired) await sync(c, c.busyUntil, true);
    }
    const simulatedMs = Math.max(endOfPayments, ...cards.map((c) => c.busyUntil));

    // ---- the audit --------------------------------------------------------------------
    const ta = performance.now();
    const audit = await auditWorld(a, cards, credited, completedBy);
    secs.audit = (performance.now() - ta) / 1000;
    const frauds = { injected: 0, detected: 0, undetected: [] as string[], revokedCards: totals(ctx).revoked, times: [] as number[] };
    for (const c of cards) {
      const f = c.fraud;
      if (!f || f.firstCloneCredit === undefined || f.firstOriginalSigned === undefined) continue;
      frauds.injected++;
      const conflictAt = Math.max(f.firstCloneCredit, f.firstOriginalSigned);
      if (f.detectedAt !== undefined) {
        frauds.detected++;
        frauds.times.push(Math.max(0, f.detectedAt - conflictAt) / HOUR);
      } else frauds.undetected.push(c.id);
    }

    const wallSeconds = (performance.now() - wall0) / 1000;
    const pc = (xs: number[]) => ({ mean: round(mean(xs), 0), p50: round(percentile(xs, 50), 0) });
    const report: Report = {
      seed: o.seed,
      engine: o.engine,
      cards: o.cards,
      clones: o.clones,
      faults: o.faults,
      syncEveryHours: o.syncEveryHours,
      simulatedHours: round(simulatedMs / HOUR, 2)!,
      payments: pay,
      clonePayments: clonePay,
      conservation: { ...audit, ok: audit.checks.every((c) => c.ok) },
      frauds: {
        injected: frauds.injected,
        detected: frauds.detected,
        undetected: frauds.undetected,
        revokedCards: frauds.revokedCards,
        timeToDetectionHours: { p50: round(percentile(frauds.times, 50), 2), max: round(frauds.times.length ? Math.max(...frauds.times) : null, 2), mean: round(mean(frauds.times), 2) },
      },
      latencyMs: {
        p50: round(percentile(latencies, 50), 0),
        p95: round(percentile(latencies, 95), 0),
        p99: round(percentile(latencies, 99), 0),
        mean: round(mean(latencies), 0),
        computeShare: round(mean(computeShares), 3),
      },
      radio: {
        connections: radioStats.connections,
        packets: radioStats.packets,
        lost: radioStats.lost,
        drops: radioStats.drops,
        meanMtu: radioStats.connections ? round(radioStats.mtuSum / radioStats.connections, 0) : null,
      },
      syncs: { count: syncStats.count, records: syncStats.records, failedByReason: syncStats.failedByReason, usbSeconds: round(syncStats.usbMs / 1000, 1)! },
      compute: {
        model:
          o.engine === 'xs'
            ? 'XS computrons metered per call; ESP32 time = computrons / computronsPerMs + flash (0.7 ms per 256 B page, 45 ms per erase)'
            : `operation counts x XS costs (x25519 ${COMPUTRONS.x25519}, sign ${COMPUTRONS.ed25519Sign}, verify ${COMPUTRONS.ed25519Verify}, ...); ESP32 time = computrons / computronsPerMs + flash (${FLASH_PAGE_MS} ms per 256 B page, ${FLASH_ERASE_MS} ms per erase)`,
        computronsPerMs: ESP32_COMPUTRONS_PER_MS,
        computronsPerPayment: { payer: pc(payerCost), payee: pc(payeeCost) },
      },
      notes: [
        'latency: from the tap (or the camera pointed at the QR code) to the payer card recording the receipt; radio + card compute + flash, without the holder\'s confirmation time or e-ink refreshes',
      ],
      host: {
        wallSeconds: round(wallSeconds, 2)!,
        paymentsPerSecond: round(pay.attempted / wallSeconds, 1)!,
        peakRssMB: Math.round(Math.max(peakRss, process.memoryUsage().rss) / 1048576),
        crypto: o.engine === 'xs' ? 'cards: @noble inside XS; authority and bridge: node:crypto' : crypto.primitives.name,
        memo: { ...crypto.stats },
        seconds: { provisioning: round(secs.provisioning, 2)!, sessions: round(secs.sessions, 2)!, syncs: round(secs.syncs, 2)!, audit: round(secs.audit, 2)! },
      },
    };
    if (o.engine === 'xs') {
      const tot = payerCost.map((x, i) => x + payeeCost[i]!);
      report.xs = { computronsPerPayment: { payer: pc(payerCost), payee: pc(payeeCost), total: pc(tot) } };
    }
    return report;
  } finally {
    clearInterval(rssTimer);
    for (const c of [...cards, ...clones]) await c.driver.close().catch(() => undefined);
    await auth?.close();
    usePrimitives(previous);
    temp?.remove();
  }
}

