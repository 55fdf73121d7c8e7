// The card's serial commands, typed, over a SerialLink. A refusal from the
// card becomes its coded error; an answer that does not decode is a coded
// 1xxx error (the card's bytes are untrusted too).
import {
  DUMP_CHUNK_MAX,
  SERIAL_PROTOCOL_VERSION,
  decodeResponse,
  encodeRequest,
  replyError,
  tallyError,
  type ApplyCommand,
  type ApplyResult,
  type DumpResult,
  type InfoResult,
  type ProvisionResult,
  type ResultOf,
  type SerialRequest,
} from '../../firmware/core/index.js';
import type { RequestOptions, SerialLink } from './port.js';

/** Key generation and an enrolment signature on an ESP32 under XS take seconds. */
const PROVISION_TIMEOUT_MS = 30_000;

export class CardClient {
  constructor(readonly link: SerialLink) {}

  async call<R extends SerialRequest>(req: R, o: RequestOptions = {}): Promise<ResultOf[R['cmd']]> {
    const payload = await this.link.request(encodeRequest(req), o);
    const r = decodeResponse(req.cmd, payload);
    if (!r.ok) throw replyError(r.error);
    return r.result as ResultOf[R['cmd']];
  }

  async info(): Promise<InfoResult> {
    const i = await this.call({ cmd: 'info' });
    if (i.protocol !== SERIAL_PROTOCOL_VERSION) throw tallyError(6017, `the card speaks version ${i.protocol}, this bridge ${SERIAL_PROTOCOL_VERSION}`);
    return i;
  }

  dump(after: Uint8Array, maxBytes = DUMP_CHUNK_MAX): Promise<DumpResult> {
    return this.call({ cmd: 'dump', after, maxBytes });
  }

  apply(cmd: ApplyCommand, statement: Uint8Array): Promise<ApplyResult> {
    return this.call({ cmd, statement });
  }

  provision(account: string, challenge: Uint8Array): Promise<ProvisionResult> {
    return this.call({ cmd: 'provision', account, challenge }, { timeoutMs: PROVISION_TIMEOUT_MS, retries: 1 });
  }
}
