// The HTTP server: node:http, no framework (a small surface we control: body
// limits, timeouts, exactly one error shape). JSON in and out; every error
// is { error: { code, message } } with a 4xx/5xx status. Internal failures
// are logged by message only (never a key) and answered with 7033.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TallyError, tallyError } from '../../../firmware/core/index.js';
import type { Authority } from '../authority.js';
import { httpStatusOf, refuse } from '../fail.js';
import { HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS } from '../options.js';
import { parseJson, readBody } from './body.js';
import { routes, type Reply } from './routes.js';

export interface Listening {
  url: string;
  port: number;
  server: Server;
  /** Stops accepting, lets requests in flight finish, closes idle connections. */
  close(): Promise<void>;
}

export function listen(authority: Authority, options: { host?: string; port?: number } = {}): Promise<Listening> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => void handle(authority, req, res));
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      const port = (server.address() as AddressInfo).port;
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
        port,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          }),
      });
    });
  });
}

async function handle(authority: Authority, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let reply: Reply;
  try {
    reply = await route(authority, req);
  } catch (e) {
    reply = errorReply(authority, e);
  }
  send(res, reply);
}

async function route(authority: Authority, req: IncomingMessage): Promise<Reply> {
  const url = new URL(req.url ?? '/', 'http://authority');
  const matching = routes.filter((r) => r.pattern.test(url.pathname));
  if (matching.length === 0) refuse(7004, url.pathname.slice(0, 80));
  const r = matching.find((m) => m.method === req.method);
  if (!r) refuse(7005, `${req.method} ${url.pathname.slice(0, 80)}; use ${matching.map((m) => m.method).join(' or ')}`);
  const params = r.pattern.exec(url.pathname)!.slice(1);
  let body: unknown;
  if (r.method === 'POST') {
    const type = req.headers['content-type'] ?? '';
    const raw = await readBody(req, r.limitBytes);
    if (raw.length > 0 && !/^application\/json\s*(;|$)/i.test(type)) refuse(7001, 'send the body as application/json');
    body = parseJson(raw);
  } else {
    await readBody(req, 0);
  }
  if (r.method === 'POST') for (const k of url.searchParams.keys()) refuse(7002, `unknown query parameter '${k.slice(0, 40)}'`);
  return r.handle(authority, params, body, url.searchParams);
}

function errorReply(authority: Authority, e: unknown): Reply {
  if (e instanceof TallyError) return { status: httpStatusOf(e.code), body: { error: e.toJSON() } };
  authority.ctx.options.log(`internal error: ${e instanceof Error ? e.message : String(e)}`);
  return { status: 500, body: { error: tallyError(7033).toJSON() } };
}

function send(res: ServerResponse, reply: Reply): void {
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...(reply.status === 413 ? { connection: 'close' } : {}),
  });
  res.end(text);
}
