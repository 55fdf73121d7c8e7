// The Merkle root of a block's event hashes, as in RFC 6962 §2.1: a leaf is
// SHA-256(0x00 || event hash), an inner node SHA-256(0x01 || left || right),
// and a list of n > 1 splits at the largest power of two below n (so no
// leaf is ever duplicated, unlike Bitcoin's tree). The empty tree is SHA-256("").
import { sha256 } from './hash.js';

const LEAF = Uint8Array.of(0);
const NODE = Uint8Array.of(1);

export function merkleRoot(eventHashes: readonly Uint8Array[]): Uint8Array {
  if (eventHashes.length === 0) return sha256();
  return node(eventHashes.map((h) => sha256(LEAF, h)), 0, eventHashes.length);
}

function node(leaves: Uint8Array[], lo: number, hi: number): Uint8Array {
  const n = hi - lo;
  if (n === 1) return leaves[lo]!;
  let k = 1;
  while (k * 2 < n) k *= 2;
  return sha256(NODE, node(leaves, lo, lo + k), node(leaves, lo + k, hi));
}
