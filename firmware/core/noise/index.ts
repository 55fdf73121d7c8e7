// The Noise channel (revision 34), suite 25519_ChaChaPoly_SHA256: the card
// core's public surface for it.
//
//   const hs = createHandshake({ protocol: 'Noise_IKpsk2_25519_ChaChaPoly_SHA256', initiator: true,
//                                s: card.dh.keyPair(), rs, psk, random });
//   const m1 = hs.writeMessage(payload1);     // -> peer
//   const p2 = hs.readMessage(m2);            // <- peer
//   const t = hs.split();                     // t.encrypt(...), t.decrypt(...), t.handshakeHash
//
// Errors (all TallyError): 3001 wrong order / after a failure, 3002 decrypt,
// 3003 short handshake message, 3004 over 65535 bytes, 3005 nonces used up,
// 3006 missing s/rs/psk/ephemeral source, 2002 bad key length, 2007 low-order
// DH result, 9001 bad argument (unknown protocol, unused rs or psk).
import { HandshakeState, type NoiseConfig, type NoiseTransport } from './handshake.js';

export { CipherState, MAX_MESSAGE as NOISE_MAX_MESSAGE } from './cipher-state.js';
export { x25519KeyPair } from './handshake.js';
export type { NoiseTransport, NoiseKeyPair, NoiseConfig, NoiseProtocol, NoisePattern, NoisePskModifier } from './handshake.js';

/** One side of a Noise handshake. Any call that throws makes it unusable (later calls throw 3001). */
export interface NoiseHandshake {
  /** Writes the next handshake message carrying `payload` (3001 if it is the peer's turn). */
  writeMessage(payload?: Uint8Array): Uint8Array;
  /** Reads the peer's next handshake message; returns its payload. */
  readMessage(message: Uint8Array): Uint8Array;
  /** True once every handshake message has gone through. */
  isComplete(): boolean;
  /** True when the next call must be writeMessage. */
  isMyTurn(): boolean;
  /** The final handshake hash (3001 before completion). */
  handshakeHash(): Uint8Array;
  /** The peer's static public key once received (or given as rs); undefined after a failure. */
  remoteStatic(): Uint8Array | undefined;
  /** The transport channel; once, after completion. */
  split(): NoiseTransport;
}

export function createHandshake(cfg: NoiseConfig): NoiseHandshake {
  return new HandshakeState(cfg);
}
