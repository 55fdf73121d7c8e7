// The bridge's view of the authority's HTTP API (docs/api.md): the few calls a
// sync and a provisioning need. Everything the authority sends back that goes
// to the card is checked by the card itself; here it is only read strictly
// enough to be forwarded (malformed answers: 6016). An authority that cannot
// be reached is 6015; its own refusals keep their codes (7xxx, 1xxx, 2xxx).
import { ErrorTable, tallyError, type DumpRecord, type ErrorCode, type TallyError } from '../../firmware/core/index.js';

const REQUEST_TIMEOUT_MS = 60_000;

export interface PaymentStatus {
  hash: string;
  role?: 'payer' | 'payee';
  amount?: number;
  state: 'settled' | 'pending' | 'rejected' | 'unknown';
  payerHalf?: boolean;
  payeeHalf?: boolean;
  reason?: string;
}

/** POST /sync's answer, with the statements as bytes. */
export interface SyncReply {
  card: string;
  accepted: number;
  head: { seq: number; hash: string };
  ack: Uint8Array;
  certificate: Uint8Array;
  loads: Uint8Array[];
  epoch: Uint8Array;
  revocations: Uint8Array;
  payments: PaymentStatus[];
}

export interface CardView {
  card: string;
  account: string;
  head: { seq: number; hash: string };
  certSerial: number;
  revoked: boolean;
}

export interface AuthorityInfo {
  publicKey: string;
  keyId: string;
  currency: string;
  epoch: Uint8Array;
  revocations: Uint8Array;
}

export interface Enrolled {
  card: string;
  account: string;
  certificate: Uint8Array;
}

const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64url');

export class AuthorityClient {
  readonly url: string;
  /** Request and response body bytes (JSON), for the bench. */
  bytesOut = 0;
  bytesIn = 0;

  constructor(url: string) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw tallyError(9001, `--authority: a URL such as http://127.0.0.1:8787, not '${String(url).slice(0, 80)}'`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw tallyError(9001, '--authority: an http(s) URL');
    this.url = u.href.replace(/\/+$/, '');
  }

  async info(): Promise<AuthorityInfo> {
    const o = obj(await this.call('GET', '/authority'));
    return { publicKey: str(o, 'publicKey'), keyId: str(o, 'keyId'), currency: str(o, 'currency'), epoch: bytes(o, 'epoch'), revocations: bytes(o, 'revocations') };
  }

  async card(id: string): Promise<CardView> {
    const o = obj(await this.call('GET', `/cards/${id}`));
    const head = obj(o.head);
    return { card: str(o, 'card'), account: str(o, 'account'), head: { seq: int(head, 'seq'), hash: str(head, 'hash') }, certSerial: int(o, 'certSerial'), revoked: o.revoked === true };
  }

  async challenge(): Promise<Uint8Array> {
    return bytes(obj(await this.call('POST', '/enrol/challenge', {})), 'challenge');
  }

  async enrol(enrolment: Uint8Array): Promise<Enrolled> {
    const o = obj(await this.call('POST', '/cards', { enrolment: b64(enrolment) }));
    return { card: str(o, 'card'), account: str(o, 'account'), certificate: bytes(o, 'certificate') };
  }

  async sync(card: string, records: DumpRecord[]): Promise<SyncReply> {
    const body = {
      card,
      records: records.map((r) => ({
        body: b64(r.body),
        ...(r.signature ? { signature: b64(r.signature) } : {}),
        ...(r.attachment ? { attachment: b64(r.attachment) } : {}),
      })),
    };
    const o = obj(await this.call('POST', '/sync', body));
    const head = obj(o.head);
    const list = (k: string): unknown[] => (Array.isArray(o[k]) ? (o[k] as unknown[]) : bad(`${k} is not a list`));
    return {
      card: str(o, 'card'),
      accepted: int(o, 'accepted'),
      head: { seq: int(head, 'seq'), hash: str(head, 'hash') },
      ack: bytes(o, 'ack'),
      certificate: bytes(o, 'certificate'),
      loads: list('loads').map((l, i) => bytes({ l }, 'l', `loads[${i}]`)),
      epoch: bytes(o, 'epoch'),
      revocations: bytes(o, 'revocations'),
      payments: list('payments').map((p) => {
        const x = obj(p);
        // An 'unknown' answer to a status query names the payment by payer and seq instead of a hash.
        const hash = typeof x.hash === 'string' ? x.hash : `${String(x.payer)}/${String(x.seq)}`;
        return { ...x, hash, state: str(x, 'state') } as PaymentStatus;
      }),
    };
  }

  private async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    this.bytesOut += text?.length ?? 0;
    let res: Response;
    try {
      res = await fetch(this.url + path, {
        method,
        ...(text !== undefined ? { body: text, headers: { 'content-type': 'application/json' } } : {}),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw tallyError(6015, `${this.url}: ${cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e))}`);
    }
    let raw: string;
    try {
      raw = await res.text();
    } catch (e) {
      throw tallyError(6015, `${this.url}: the answer was cut (${e instanceof Error ? e.message : String(e)})`);
    }
    this.bytesIn += raw.length;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw tallyError(6016, `${method} ${path}: HTTP ${res.status}, not JSON`);
    }
    if (!res.ok) throw refusal(json, res.status, `${method} ${path}`);
    return json;
  }
}

/** The authority's { error: { code, message } } as a coded error. */
function refusal(json: unknown, status: number, what: string): TallyError {
  const e = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = e?.code;
  if (typeof code !== 'number' || !(code in ErrorTable)) return tallyError(6016, `${what}: HTTP ${status}`);
  const c = code as ErrorCode;
  const [name, text] = ErrorTable[c];
  let detail = typeof e?.message === 'string' ? e.message : '';
  const prefix = `E${c} ${name}: ${text}`;
  if (detail.startsWith(prefix)) detail = detail.slice(prefix.length).replace(/^ \(([\s\S]*)\)$/, '$1');
  return tallyError(c, detail ? `authority: ${detail.slice(0, 300)}` : 'authority');
}

function bad(what: string): never {
  throw tallyError(6016, what);
}
function obj(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : bad('expected a JSON object');
}
function str(o: Record<string, unknown>, k: string): string {
  return typeof o[k] === 'string' ? (o[k] as string) : bad(`${k} is not text`);
}
function int(o: Record<string, unknown>, k: string): number {
  return Number.isSafeInteger(o[k]) && (o[k] as number) >= 0 ? (o[k] as number) : bad(`${k} is not a whole number`);
}
function bytes(o: Record<string, unknown>, k: string, what = k): Uint8Array {
  const s = o[k];
  if (typeof s !== 'string' || !/^[A-Za-z0-9_-]*$/.test(s) || s.length > 16384) bad(`${what} is not base64url`);
  const b = Buffer.from(s, 'base64url');
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}
