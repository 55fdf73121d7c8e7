// How the world drives one card, whichever engine runs its core: V8 (the
// simulator's own process) or XS (an xsnap worker per card, the engine the
// firmware runs on). Every call carries the world's time and returns the
// card's effects plus what the call cost the card: primitive operation counts
// (V8) or metered XS computrons (XS).
import type { Effects, HostStatus } from '../card/host.js';
import type { CutPlan } from '../card/nor-flash.js';
import type { OpCounts } from '../world/crypto.js';
import type { HistoryItem } from '../../firmware/core/index.js';

export type Engine = 'v8' | 'xs';

export interface CallCost {
  /** V8: the card's primitive operations in this call (the compute model prices them). */
  ops?: OpCounts;
  /** XS: computrons the call spent in the card's worker (deterministic). */
  computrons?: number;
}

export interface Step {
  effects: Effects;
  cost: CallCost;
}

export interface CardSpec {
  /** Seeds the card's random source. */
  seed: string;
  sectors: number;
  authorities: Uint8Array[];
  firmware: string;
  bleAddress?: Uint8Array;
  pin?: string;
}

export interface CardDriver {
  readonly engine: Engine;
  /** True after a call in which the power went, until reboot(). */
  readonly dead: boolean;
  /** USB serial: bytes in, the card's answer out. */
  serial(now: number, bytes: Uint8Array): Promise<Uint8Array>;
  receive(now: number, req: { amount?: number; mode: 'qr' | 'tap' }): Promise<Step & { uri?: string }>;
  pay(now: number, uri: string, req: { amount?: number; mode: 'qr' | 'tap' }): Promise<Step>;
  deliver(now: number, bytes: Uint8Array): Promise<Step>;
  confirm(now: number, answer: { accept: boolean; pin?: string }): Promise<Step>;
  linkClosed(now: number): Promise<Step>;
  cancel(now: number): Promise<Step>;
  home(now: number): Promise<Step>;
  status(): Promise<HostStatus | undefined>;
  history(offset: number, limit: number): Promise<{ entries: HistoryItem[]; total: number }>;
  armCut(plan: CutPlan): Promise<void>;
  disarm(): Promise<void>;
  reboot(now: number): Promise<void>;
  /** A clone: the same keys and flash bytes, its own random source (seed), same engine. */
  clone(seed: string): Promise<CardDriver>;
  close(): Promise<void>;
}
