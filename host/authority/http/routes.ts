// The API's endpoints: method, path pattern, body limit, handler. Handlers
// read their input strictly (codec.ts Fields) and call the authority.
import { CURRENCY_PATTERN, ENROL_MAX_BYTES, tallyError } from '../../../firmware/core/index.js';
import { ACCOUNT_ID, REFERENCE } from '../accounts.js';
import type { Authority } from '../authority.js';
import { blocksFrom } from '../chain/export.js';
import { CARD_HEX, Fields, parseHex } from '../codec.js';
import { httpStatusOf, refuse } from '../fail.js';
import { SMALL_BODY_MAX_BYTES, SYNC_BODY_MAX_BYTES } from '../options.js';
import { authorityInfo, cardView, fraudProof, fraudProofs, health, history, revocations, totals } from '../reads.js';

export interface Reply {
  status: number;
  body: unknown;
}

export interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  /** Largest accepted body (POST). */
  limitBytes: number;
  handle(a: Authority, params: string[], body: unknown, query: URLSearchParams): Promise<Reply> | Reply;
}

const ok = (body: unknown, status = 200): Reply => ({ status, body });
const card = (s: string): Uint8Array => parseHex(s, CARD_HEX) ?? refuse(7002, 'the card id in the path must be 32 lower-case hex digits');
const LIST_MAX = 1000;
function num(q: URLSearchParams, name: string, def: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = q.get(name);
  if (v === null) return def;
  if (!/^\d{1,15}$/.test(v) || Number(v) > max) refuse(7002, `query ${name} must be a whole number up to ${max}`);
  return Number(v);
}
const noQuery = (q: URLSearchParams, allowed: string[] = []): void => {
  for (const k of q.keys()) if (!allowed.includes(k)) refuse(7002, `unknown query parameter '${k.slice(0, 40)}'`);
};

const SMALL = SMALL_BODY_MAX_BYTES;

export const routes: Route[] = [
  { method: 'GET', pattern: /^\/health$/, limitBytes: 0, handle: (a) => ok(health(a.ctx)) },
  { method: 'GET', pattern: /^\/authority$/, limitBytes: 0, handle: (a) => ok(authorityInfo(a.ctx)) },
  { method: 'GET', pattern: /^\/totals$/, limitBytes: 0, handle: (a) => ok(totals(a.ctx)) },
  { method: 'GET', pattern: /^\/revocations$/, limitBytes: 0, handle: (a) => ok(revocations(a.ctx)) },
  {
    method: 'POST', pattern: /^\/accounts$/, limitBytes: SMALL,
    handle(a, _p, body) {
      const f = new Fields(body, 'account');
      const id = f.text('id', ACCOUNT_ID);
      const currency = f.optText('currency', CURRENCY_PATTERN) ?? a.ctx.options.currency;
      const dep = f.optInt('deposit');
      f.done();
      return ok(a.openAccount(id, currency, dep), 201);
    },
  },
  { method: 'GET', pattern: /^\/accounts\/([A-Za-z0-9_-]{1,32})$/, limitBytes: 0, handle: (a, [id]) => ok(a.account(id!)) },
  {
    method: 'POST', pattern: /^\/accounts\/([A-Za-z0-9_-]{1,32})\/deposits$/, limitBytes: SMALL,
    handle(a, [id], body) {
      const f = new Fields(body, 'deposit');
      const amount = f.int('amount');
      const reference = f.optText('reference', REFERENCE);
      f.done();
      return ok(a.deposit(id!, amount, reference), 201);
    },
  },
  {
    method: 'POST', pattern: /^\/enrol\/challenge$/, limitBytes: SMALL,
    handle(a, _p, body) {
      new Fields(body, 'challenge').done();
      return ok(a.challenge(), 201);
    },
  },
  {
    method: 'POST', pattern: /^\/cards$/, limitBytes: SMALL,
    handle(a, _p, body) {
      const f = new Fields(body, 'enrolment');
      const enrolment = f.b64('enrolment', ENROL_MAX_BYTES);
      f.done();
      return ok(a.enrol(enrolment), 201);
    },
  },
  { method: 'GET', pattern: /^\/cards\/([^/]+)$/, limitBytes: 0, handle: (a, [id]) => ok(cardView(a.ctx, card(id!))) },
  {
    method: 'GET', pattern: /^\/cards\/([^/]+)\/history$/, limitBytes: 0,
    handle(a, [id], _b, q) {
      noQuery(q, ['after', 'limit']);
      return ok(history(a.ctx, card(id!), num(q, 'after', 0), num(q, 'limit', 100, LIST_MAX)));
    },
  },
  {
    method: 'POST', pattern: /^\/cards\/([^/]+)\/loads$/, limitBytes: SMALL,
    handle(a, [id], body) {
      const c = card(id!);
      const f = new Fields(body, 'load');
      const amount = f.int('amount');
      const reference = f.optText('reference', REFERENCE);
      f.done();
      return ok(a.load(c, amount, reference), 201);
    },
  },
  {
    method: 'POST', pattern: /^\/sync$/, limitBytes: SYNC_BODY_MAX_BYTES,
    async handle(a, _p, body) {
      const r = await a.sync(body);
      if (!r.fraud) return ok(r.reply);
      const error = tallyError(7021, `fraud proof ${r.fraud.id} (${r.fraud.kind})`).toJSON();
      return { status: httpStatusOf(7021), body: { error, fraud: r.fraud, ...r.reply } };
    },
  },
  {
    method: 'POST', pattern: /^\/epoch$/, limitBytes: SMALL,
    handle(a, _p, body) {
      new Fields(body, 'epoch').done();
      return ok({ epoch: a.advanceEpoch() });
    },
  },
  {
    method: 'POST', pattern: /^\/blocks\/seal$/, limitBytes: SMALL,
    handle(a, _p, body) {
      new Fields(body, 'seal').done();
      return ok({ sealed: a.seal() });
    },
  },
  {
    method: 'GET', pattern: /^\/blocks$/, limitBytes: 0,
    handle(a, _p, _b, q) {
      noQuery(q, ['from', 'limit', 'events']);
      const events = q.get('events');
      if (events !== null && events !== '0' && events !== '1') refuse(7002, 'query events must be 0 or 1');
      return ok({ blocks: blocksFrom(a.ctx.db, num(q, 'from', 0), num(q, 'limit', 100, LIST_MAX), events === '1') });
    },
  },
  {
    method: 'GET', pattern: /^\/blocks\/(\d{1,15})$/, limitBytes: 0,
    handle(a, [h]) {
      const b = blocksFrom(a.ctx.db, Number(h), 1, true)[0];
      if (!b || b.height !== Number(h)) refuse(7004, `block ${h}`);
      return ok(b);
    },
  },
  {
    method: 'GET', pattern: /^\/fraud-proofs$/, limitBytes: 0,
    handle(a, _p, _b, q) {
      noQuery(q, ['after', 'limit']);
      return ok(fraudProofs(a.ctx, num(q, 'after', 0), num(q, 'limit', 100, LIST_MAX)));
    },
  },
  { method: 'GET', pattern: /^\/fraud-proofs\/(\d{1,15})$/, limitBytes: 0, handle: (a, [id]) => ok(fraudProof(a.ctx, Number(id))) },
];
