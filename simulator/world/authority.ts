// The embedded authority of a simulation: the real one (host/authority: its
// SQLite file in a data folder, its key, its settlement and fraud rules),
// opened in process. The bridge's provisioning and sync code talks to it
// through AuthorityClient, whose HTTP calls are replaced by direct calls
// here: the same requests and answers, as JSON-shaped objects, no socket.
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromHex, tallyError } from '../../firmware/core/index.js';
import { Authority } from '../../host/authority/index.js';
import { authorityInfo, cardView } from '../../host/authority/reads.js';
import { AuthorityClient, provisionCard, syncCard, type CardView, type AuthorityInfo, type Enrolled, type Provisioned, type SyncReply, type SyncSummary } from '../../host/bridge/index.js';
import type { DumpRecord } from '../../firmware/core/index.js';

const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64url');
const bytes = (s: string): Uint8Array => {
  const b = Buffer.from(s, 'base64url');
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
};

/** AuthorityClient with its HTTP replaced by calls into an Authority in this process. */
export class InProcessAuthority extends AuthorityClient {
  /** Sync requests made, and records uploaded. */
  syncs = 0;
  records = 0;
  /** Fraud proofs the authority made from the uploads, in order. */
  readonly frauds: { card: string; id: number; kind: string }[] = [];

  constructor(readonly authority: Authority) {
    super('http://127.0.0.1/');
  }

  override async info(): Promise<AuthorityInfo> {
    const i = authorityInfo(this.authority.ctx);
    return { publicKey: i.publicKey, keyId: i.keyId, currency: i.currency, epoch: bytes(i.epoch), revocations: bytes(i.revocations) };
  }

  override async card(id: string): Promise<CardView> {
    const c = cardView(this.authority.ctx, fromHex(id, 'card'));
    return { card: c.card, account: c.account, head: c.head, certSerial: c.certSerial, revoked: c.revoked };
  }

  override async challenge(): Promise<Uint8Array> {
    return bytes(this.authority.challenge().challenge);
  }

  override async enrol(enrolment: Uint8Array): Promise<Enrolled> {
    const e = this.authority.enrol(enrolment);
    return { card: e.card, account: e.account, certificate: bytes(e.certificate) };
  }

  override async sync(card: string, records: DumpRecord[]): Promise<SyncReply> {
    this.syncs++;
    this.records += records.length;
    const body = {
      card,
      records: records.map((r) => ({
        body: b64(r.body),
        ...(r.signature ? { signature: b64(r.signature) } : {}),
        ...(r.attachment ? { attachment: b64(r.attachment) } : {}),
      })),
    };
    const r = await this.authority.sync(body);
    // Over HTTP a fraud proof comes back as error 7021 (with the reply): the bridge sees the refusal.
    if (r.fraud) {
      this.frauds.push({ card, id: r.fraud.id, kind: r.fraud.kind });
      throw tallyError(7021, `fraud proof ${r.fraud.id} (${r.fraud.kind})`);
    }
    const o = r.reply;
    return {
      card: o.card,
      accepted: o.accepted,
      head: o.head,
      ack: bytes(o.ack),
      certificate: bytes(o.certificate),
      loads: o.loads.map(bytes),
      epoch: bytes(o.epoch),
      revocations: bytes(o.revocations),
      payments: o.payments.map((p) => ({ ...p, hash: p.hash ?? '' })) as SyncReply['payments'],
    };
  }
}

export interface EmbeddedOptions {
  /** The data folder: the SQLite file (authority.db) and its key go there. */
  dir: string;
  /**
   * A seed for the authority's key, for reproducible pictures and runs in a
   * scratch folder only: a key anyone can recompute is no key for money.
   */
  keySeed?: Uint8Array;
  currency?: string;
  /** Signature verification threads (default: one per core). */
  workers?: number;
  log?: (line: string) => void;
}

export class EmbeddedAuthority {
  readonly client: InProcessAuthority;
  readonly dbPath: string;

  private constructor(
    readonly authority: Authority,
    dbPath: string,
  ) {
    this.client = new InProcessAuthority(authority);
    this.dbPath = dbPath;
  }

  static open(o: EmbeddedOptions): EmbeddedAuthority {
    try {
      mkdirSync(o.dir, { recursive: true });
    } catch (e) {
      throw tallyError(8003, `${o.dir}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const dbPath = join(o.dir, 'authority.db');
    if (o.keySeed && !existsSync(`${dbPath}.key`)) {
      // The key file format of host/authority/keys.ts.
      writeFileSync(`${dbPath}.key`, `${JSON.stringify({ format: 'tally-authority-key/1', seed: Buffer.from(o.keySeed).toString('hex') })}\n`, { mode: 0o600 });
    }
    const a = Authority.open({
      dbPath,
      currency: o.currency ?? 'EUR',
      blockIntervalMs: 0,
      ...(o.workers !== undefined ? { workers: o.workers } : {}),
      ...(o.log ? { log: o.log } : {}),
    });
    return new EmbeddedAuthority(a, dbPath);
  }

  get publicKey(): Uint8Array {
    return this.authority.publicKey;
  }

  provision(card: import('../../host/bridge/index.js').CardClient, account: string): Promise<Provisioned> {
    return provisionCard(card, this.client, account);
  }

  sync(card: import('../../host/bridge/index.js').CardClient, batchRecords = 2000): Promise<SyncSummary> {
    return syncCard(card, this.client, { batchRecords });
  }

  close(): Promise<void> {
    return this.authority.close();
  }
}

/**
 * A temporary folder for an authority database: memory-backed /dev/shm when
 * there is one (the authority commits with synchronous=FULL, and an fsync
 * per transaction on a disk would dominate a large run), else the system's
 * temporary folder. It is still a real SQLite file.
 */
export function scratchAuthorityDir(): { path: string; remove(): void } {
  let base = tmpdir();
  try {
    accessSync('/dev/shm', constants.W_OK);
    base = '/dev/shm';
  } catch {
    /* no /dev/shm: the temporary folder */
  }
  const path = mkdtempSync(join(base, 'tally-sim-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
