// The bench's digest requests from XS to the Node parent, on the harness's
// issueCommand channel: [DIGEST_CHANNEL, op, id (u16 LE), payload...]. The
// first byte keeps them apart from the prelude's JSON requests ('{').
export const DIGEST_CHANNEL = 0xff;

export const DigestOp = {
  /** payload: the algorithm name in ASCII ('SHA256', 'SHA512'). */
  create: 0,
  /** payload: the bytes. */
  write: 1,
  /** answer: the hash. */
  close: 2,
  reset: 3,
} as const;
export type DigestOp = (typeof DigestOp)[keyof typeof DigestOp];
