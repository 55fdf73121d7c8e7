// The embedded authority: one SQLite file, one key, one process. Opens (and
// on first start creates) both, and offers every operation the HTTP API and
// the CLI call.
import { keyIdOf } from '../../firmware/core/index.js';
import { openAccount, deposit, accountView } from './accounts.js';
import { pendingEvents, sealBlocks } from './chain/blocks.js';
import { hex } from './codec.js';
import { makeContext, type Context } from './context.js';
import { advanceEpoch } from './epoch.js';
import { refuse } from './fail.js';
import { loadOrCreateKey } from './keys.js';
import { loadCard } from './loads.js';
import { authorityOptions, type AuthorityOptions } from './options.js';
import { enrolCard, newChallenge } from './provision.js';
import { getMeta, setMeta } from './state.js';
import { Checkpointer } from './store/checkpointer.js';
import { openStore } from './store/open.js';
import { Syncer } from './sync/index.js';
import { Verifier } from './verify/pool.js';

export class Authority {
  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;

  private constructor(
    readonly ctx: Context,
    private readonly verifier: Verifier,
    private readonly syncer: Syncer,
    private readonly checkpointer: Checkpointer,
  ) {}

  static open(partial: Partial<AuthorityOptions> = {}): Authority {
    const options = authorityOptions(partial);
    const db = openStore(options.dbPath);
    try {
      const signer = loadOrCreateKey(options.keyPath);
      const keyId = keyIdOf(signer.publicKey);
      const ctx = makeContext(db, signer, keyId, options);
      db.transaction(() => {
        const stored = getMeta(ctx, 'authority_public_key');
        if (stored === undefined) {
          setMeta(ctx, 'authority_public_key', hex(signer.publicKey));
          setMeta(ctx, 'epoch', 1);
          setMeta(ctx, 'revocation_version', 0);
          setMeta(ctx, 'currency', options.currency);
          ctx.q('INSERT INTO authorities (key_id, public_key, added_ms) VALUES (?, ?, ?)').run(keyId, signer.publicKey, ctx.now());
        } else if (stored !== hex(signer.publicKey)) {
          refuse(7023, `${options.keyPath} is not the key this database was made with`);
        }
      }).immediate();
      const currency = String(getMeta(ctx, 'currency'));
      if (partial.currency !== undefined && partial.currency !== currency) refuse(7012, `the database keeps ${currency}`);
      options.currency = currency;
      const verifier = new Verifier({ workers: options.workers, parallelThreshold: options.parallelThreshold, engine: options.verifier });
      return new Authority(ctx, verifier, new Syncer(ctx, verifier), new Checkpointer(db));
    } catch (e) {
      db.close();
      throw e;
    }
  }

  get publicKey(): Uint8Array {
    return this.ctx.signer.publicKey;
  }

  openAccount(id: string, currency: string, initialDeposit?: number) {
    return openAccount(this.ctx, id, currency, initialDeposit);
  }
  deposit(account: string, amount: number, reference?: string) {
    return deposit(this.ctx, account, amount, reference);
  }
  account(id: string) {
    return accountView(this.ctx, id);
  }
  challenge() {
    return newChallenge(this.ctx);
  }
  enrol(enrolment: Uint8Array) {
    return enrolCard(this.ctx, enrolment);
  }
  load(card: Uint8Array, amount: number, reference?: string) {
    return loadCard(this.ctx, card, amount, reference);
  }
  sync(json: unknown) {
    if (this.closed) refuse(7032);
    return this.syncer.sync(json);
  }
  advanceEpoch(): number {
    return advanceEpoch(this.ctx);
  }
  /** Seals every pending event into blocks now; returns how many blocks were made. */
  seal(): number {
    return this.ctx.db.transaction(() => sealBlocks(this.ctx, true)).immediate();
  }

  /** Starts the block timer and, if configured, the epoch timer. */
  startTimers(): void {
    const every = (ms: number, fn: () => void): void => {
      if (ms <= 0) return;
      const t = setInterval(() => {
        try {
          fn();
        } catch (e) {
          this.ctx.options.log(`timer: ${e instanceof Error ? e.message : String(e)}`);
        }
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.ctx.options.blockIntervalMs, () => {
      if (pendingEvents(this.ctx) > 0) this.seal();
    });
    every(this.ctx.options.epochIntervalMs, () => this.advanceEpoch());
  }

  /** Stops timers and threads, seals what is pending, closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    try {
      if (pendingEvents(this.ctx) > 0) this.seal();
    } finally {
      await this.verifier.close();
      await this.checkpointer.close();
      this.ctx.db.close();
    }
  }
}
