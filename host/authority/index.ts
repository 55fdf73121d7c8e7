// The authority's public surface (host side): open one, serve it, verify
// what it publishes.
export { Authority } from './authority.js';
export { listen, type Listening } from './http/server.js';
export { authorityOptions, DEFAULT_DB_PATH, type AuthorityOptions } from './options.js';
export { verifyFraudProof, type ProvenFraud } from './fraud/verify.js';
export type { FraudProof, FraudKind } from './fraud/proof.js';
export { verifyChain, type ChainReport, type ChainTrust } from './chain/verify.js';
export { writeChain, CHAIN_FORMAT } from './chain/export.js';
export type { SyncReply, PaymentStatus } from './sync/reply.js';
export { publicKeyObject, NativeSigner } from './keys.js';
