// Benchmark operations, run inside XS (bundled by scripts/build-core.mjs into
// build/xs/tally-bench.js; the core import below is redirected to the shipped
// core bundle, globalThis.TallyCore). test/xs/bench.ts drives them.
//
// Each op has a setup (fixtures, not measured) returning a run function; the
// 'bench' command warms the op up once (noble builds its lookup tables on
// first use), then measures `runs` runs with resetMeter() around each, so the
// 32-bit meter never sees more than one run. An op may instead measure only
// part of each run itself (the Noise sides) by returning its own count.
import { x25519 } from '@noble/curves/ed25519.js';
import * as core from '../../firmware/core/index.js';
import { seededBytes } from '../portable/spec.js';

interface XsMeter {
  resetMeter?: (limit: number, index: number) => number;
  currentMeterLimit?: () => number;
  tallyCommands: Record<string, (msg: Record<string, unknown>) => unknown>;
}
const g = globalThis as unknown as XsMeter;

/** Computrons since the last call (and restarts the count). */
function meter(): number {
  if (typeof g.resetMeter !== 'function' || typeof g.currentMeterLimit !== 'function') throw new Error('no resetMeter in this engine');
  return g.resetMeter(g.currentMeterLimit(), 0) >>> 0;
}

/** Deterministic bytes for fixtures and Noise ephemerals (benchmark only, never for real keys). */
function rng(seed: number): (n: number) => Uint8Array {
  return seededBytes(seed);
}

/** A run returns nothing (the whole run is measured) or the computrons it measured itself. */
type Run = () => void | number;
interface Op {
  name: string;
  /** Why the op cannot run against this core, or undefined when it can. */
  missing?: () => string | undefined;
  setup: () => Run;
}

/** A payment-sized signed structure (docs: DESIGN.md "A payment, in short", step 4). */
function paymentMessage(r: (n: number) => Uint8Array): Map<number, core.CborValue> {
  return new Map<number, core.CborValue>([
    [1, 1], // version
    [2, r(16)], // payer card id
    [3, r(16)], // payee card id
    [4, 12_50], // amount, minor units
    [5, 'EUR'],
    [6, 4711], // payer sequence number
    [7, r(32)], // previous hash
    [8, 1_234_567], // running spent total
    [9, r(16)], // payee nonce
    [10, r(32)], // handshake hash
  ]);
}

const PROTOCOL: core.NoiseProtocol = 'Noise_IKpsk2_25519_ChaChaPoly_SHA256';
// Handshake payloads about the size of a certificate plus chain head (message 1)
// and a certificate plus amount request and nonce (message 2).
const M1_PAYLOAD = 200;
const M2_PAYLOAD = 220;

function noisePair(seed: number) {
  const r = rng(seed);
  const si = core.DhKey.generate(r).keyPair();
  const sr = core.DhKey.generate(r).keyPair();
  const psk = r(32);
  const p1 = r(M1_PAYLOAD);
  const p2 = r(M2_PAYLOAD);
  /** One full IKpsk2 handshake; returns the computrons of each side. */
  const handshake = () => {
    meter();
    const hi = core.createHandshake({ protocol: PROTOCOL, initiator: true, s: si, rs: sr.publicKey, psk, random: r });
    const m1 = hi.writeMessage(p1);
    let ci = meter();
    const hr = core.createHandshake({ protocol: PROTOCOL, initiator: false, s: sr, psk, random: r });
    hr.readMessage(m1);
    const m2 = hr.writeMessage(p2);
    let cr = meter();
    hi.readMessage(m2);
    const ti = hi.split();
    ci += meter();
    const tr = hr.split();
    cr += meter();
    return { ci, cr, ti, tr };
  };
  return { handshake, r };
}

const ops: Op[] = [
  {
    name: 'ed25519 sign',
    setup: () => {
      const r = rng(1);
      const signer = new core.Signer(r(32));
      const body = core.encodeCanonical(paymentMessage(r));
      return () => void signer.sign('payment', body);
    },
  },
  {
    name: 'ed25519 verify',
    setup: () => {
      const r = rng(2);
      const signer = new core.Signer(r(32));
      const body = core.encodeCanonical(paymentMessage(r));
      const sig = signer.sign('payment', body);
      return () => {
        if (!core.verifySignature('payment', body, sig, signer.publicKey)) throw new Error('signature does not verify');
      };
    },
  },
  {
    // X25519 shared secret (the Montgomery ladder on a variable point): what
    // each DH token of the Noise handshake costs. The core keeps its DH inside
    // the handshake (no export), so this calls the same noble function
    // (x25519.getSharedSecret, as firmware/core/noise/handshake.ts does) from
    // the bench bundle's own copy of @noble/curves, on the same engine.
    name: 'x25519',
    setup: () => {
      const r = rng(3);
      const mine = r(32);
      const peer = new core.DhKey(r(32)).publicKey;
      return () => void x25519.getSharedSecret(mine, peer);
    },
  },
  {
    // DhKey derives its public key with noble's fixed-base X25519, which uses
    // the Edwards base-point tables: about a third of a shared secret.
    name: 'x25519 public key',
    setup: () => {
      const secret = rng(3)(32);
      return () => void new core.DhKey(secret);
    },
  },
  {
    name: 'noise handshake initiator',
    setup: () => {
      const { handshake } = noisePair(4);
      return () => handshake().ci;
    },
  },
  {
    name: 'noise handshake responder',
    setup: () => {
      const { handshake } = noisePair(5);
      return () => handshake().cr;
    },
  },
  {
    // One 256-byte message: encrypted by one side, decrypted by the other.
    name: 'noise transport 256 B',
    setup: () => {
      const { handshake, r } = noisePair(6);
      const { ti, tr } = handshake();
      const plain = r(256);
      return () => {
        const back = tr.decrypt(ti.encrypt(plain));
        if (back.length !== 256) throw new Error('transport round trip lost bytes');
      };
    },
  },
  {
    name: 'cbor encode+decode payment',
    setup: () => {
      const msg = paymentMessage(rng(7));
      return () => {
        const bytes = core.encodeCanonical(msg);
        core.decodeCanonical(bytes, { maxBytes: 512 });
      };
    },
  },
  {
    name: 'pairing payload encode+decode',
    setup: () => {
      const r = rng(8);
      const offer: core.PairingOffer = {
        cardId: r(core.CARD_ID_BYTES),
        staticKey: r(core.KEY_BYTES),
        bleAddress: r(core.BLE_ADDRESS_BYTES),
        token: r(core.TOKEN_BYTES),
        amount: 12_50,
        currency: 'EUR',
      };
      return () => void core.decodePairing(core.encodePairing(offer));
    },
  },
];

export interface BenchResult {
  name: string;
  /** Average computrons per run in steady state (integer). */
  computrons: number;
  /** Computrons of the first (warm-up) run, which includes first-use table building. */
  warmup: number;
  runs: number;
}

function measure(run: Run): number {
  meter();
  const own = run();
  const whole = meter();
  return typeof own === 'number' ? own : whole;
}

g.tallyCommands.benchList = () => ops.map((o) => ({ name: o.name, missing: o.missing?.() ?? null }));
g.tallyCommands.bench = (msg) => {
  const op = ops.find((o) => o.name === msg.name);
  if (!op) throw new Error(`no bench op '${String(msg.name)}'`);
  const why = op.missing?.();
  if (why) throw new Error(why);
  const runs = typeof msg.runs === 'number' && msg.runs > 0 ? msg.runs : 8;
  const run = op.setup();
  const warmup = measure(run);
  let total = 0;
  for (let i = 0; i < runs; i++) total += measure(run);
  const result: BenchResult = { name: op.name, computrons: Math.round(total / runs), warmup, runs };
  return result;
};
