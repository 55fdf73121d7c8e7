// Reads a request body up to a limit. Over the limit, the rest is drained
// and dropped, then 413 (7003) is answered, so the client reads the answer
// instead of a reset connection; past a hard cap the connection is closed.
import type { IncomingMessage } from 'node:http';
import { tallyError } from '../../../firmware/core/index.js';
import { refuse } from '../fail.js';
import { MiB } from '../options.js';

/** Past this many bytes of an oversized body, stop draining and drop the connection. */
const DRAIN_CAP_BYTES = 64 * MiB;

export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > DRAIN_CAP_BYTES) {
      reject(tallyError(7003, `at most ${limitBytes} bytes`));
      req.destroy();
      return;
    }
    let size = 0;
    let over = declared > limitBytes;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (!over && size > limitBytes) {
        over = true;
        chunks.length = 0;
      }
      if (over && size > DRAIN_CAP_BYTES) req.destroy();
      if (!over) chunks.push(c);
    });
    req.on('end', () => {
      if (over) reject(tallyError(7003, `at most ${limitBytes} bytes, got ${size}`));
      else resolve(Buffer.concat(chunks, size));
    });
    req.on('error', (e) => reject(e));
  });
}

/** Parses a JSON body (7001 when it is not JSON; an empty body is {}). */
export function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (e) {
    return refuse(7001, e instanceof Error ? e.message.slice(0, 120) : '');
  }
}
