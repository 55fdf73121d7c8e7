// Inside XS (bench bundles): a Digest with the API of Moddable's native one
// ("crypt", modules/crypt/digest) whose hashing runs in the Node parent
// (test/xs/host-digest.ts answers), outside the XS meter, as the SDK's C
// digest runs outside the interpreter on a card. What is metered is what a
// native call costs in JS too: the call itself, plus one copy of the bytes
// into the request (a small overcharge: the SDK reads them in place).
import type { NativeDigest } from '../../firmware/app/digest-primitives.js';
import { DIGEST_CHANNEL, DigestOp } from './digest-wire.js';

interface XsGlobals {
  issueCommand(req: ArrayBuffer): ArrayBuffer;
}
const g = globalThis as unknown as XsGlobals;
let nextId = 1;

function call(op: DigestOp, id: number, payload?: Uint8Array): Uint8Array {
  const n = payload ? payload.length : 0;
  const req = new Uint8Array(4 + n);
  req[0] = DIGEST_CHANNEL;
  req[1] = op;
  req[2] = id & 0xff;
  req[3] = id >>> 8;
  if (payload) req.set(payload, 4);
  const answer = new Uint8Array(g.issueCommand(req.buffer));
  if (answer[0] !== 0) throw new Error(`host digest: ${String.fromCharCode(...answer.subarray(1))}`);
  return answer.subarray(1);
}

export class HostDigest implements NativeDigest {
  private readonly id: number;

  constructor(type: string) {
    this.id = nextId++;
    call(DigestOp.create, this.id, Uint8Array.from(type, (c) => c.charCodeAt(0)));
  }

  write(data: Uint8Array): void {
    call(DigestOp.write, this.id, data);
  }

  close(): ArrayBuffer {
    return call(DigestOp.close, this.id).slice().buffer as ArrayBuffer;
  }

  reset(): void {
    call(DigestOp.reset, this.id);
  }
}
