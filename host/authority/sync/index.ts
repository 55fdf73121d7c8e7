// One sync: parse and check the request (no database), plan it against the
// stored chain, verify its signatures (worker threads for large batches),
// apply it in a transaction, answer. Syncs of one card run one at a time (a
// per-card queue); syncs of different cards overlap, except for the short
// synchronous transaction that applies each.
import type { Context } from '../context.js';
import { hex } from '../codec.js';
import type { FraudKind } from '../fraud/proof.js';
import type { Verifier } from '../verify/pool.js';
import { applySync } from './apply.js';
import { checkSignatures, planSync } from './plan.js';
import { buildReply, type SyncReply } from './reply.js';
import { parseSyncRequest } from './request.js';

export interface SyncResult {
  reply: SyncReply;
  /** The upload proved the card's own fraud: it is revoked, the records before the offending one were kept. */
  fraud?: { id: number; kind: FraudKind };
}

export class Syncer {
  private readonly queues = new Map<string, Promise<unknown>>();
  constructor(
    private readonly ctx: Context,
    private readonly verifier: Verifier,
  ) {}

  async sync(json: unknown): Promise<SyncResult> {
    const req = parseSyncRequest(json);
    return this.serial(hex(req.card), async () => {
      // One read transaction for the plan's many lookups.
      const plan = this.ctx.db.transaction(() => planSync(this.ctx, req))();
      checkSignatures(plan, await this.verifier.verify(plan.jobs));
      const out = applySync(this.ctx, req, plan);
      const reply = buildReply(this.ctx, req.card, out.accepted, out.statuses, req.status);
      return out.fraud ? { reply, fraud: out.fraud } : { reply };
    });
  }

  private async serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.queues.get(key) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.queues.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    }
  }
}
