// Node side of test/xs/xs-digest.ts: keeps one fake Moddable Digest
// (node:crypto) per XS instance and answers its requests.
import { FakeDigest } from '../firmware/fake-crypt.js';
import { DIGEST_CHANNEL, DigestOp } from './digest-wire.js';

const digests = new Map<number, FakeDigest>();

/** Whether a request from XS is for the digest host. */
export const isDigestRequest = (request: Uint8Array): boolean => request[0] === DIGEST_CHANNEL;

/** The answer's data (the harness prefixes the status byte); throws on a bad request. */
export function digestRequest(request: Uint8Array): Uint8Array {
  if (request.length < 4) throw new Error('short digest request');
  const op = request[1];
  const id = request[2]! | (request[3]! << 8);
  const payload = request.subarray(4);
  if (op === DigestOp.create) {
    digests.set(id, new FakeDigest(String.fromCharCode(...payload)));
    return new Uint8Array(0);
  }
  const d = digests.get(id);
  if (!d) throw new Error(`no digest ${id}`);
  switch (op) {
    case DigestOp.write:
      d.write(payload);
      return new Uint8Array(0);
    case DigestOp.close:
      return new Uint8Array(d.close());
    case DigestOp.reset:
      d.reset();
      return new Uint8Array(0);
    default:
      throw new Error(`unknown digest op ${String(op)}`);
  }
}
