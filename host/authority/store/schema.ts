// The authority's SQLite schema, as numbered migrations. PRAGMA user_version
// holds the number of the last one applied; each runs in its own transaction.
// Never edit a migration that has shipped: add the next one.

export const MIGRATIONS: readonly string[] = [
  // 1: everything the embedded authority keeps.
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value NOT NULL) WITHOUT ROWID;

  CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    currency TEXT NOT NULL,
    balance INTEGER NOT NULL CHECK (balance >= 0),
    created_ms INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE deposits (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL REFERENCES accounts(id),
    amount INTEGER NOT NULL CHECK (amount > 0),
    reference TEXT,
    created_ms INTEGER NOT NULL,
    UNIQUE (account, reference)
  );

  CREATE TABLE challenges (
    challenge BLOB PRIMARY KEY,
    secret BLOB NOT NULL,
    expires_ms INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE cards (
    id BLOB PRIMARY KEY,
    account TEXT NOT NULL REFERENCES accounts(id),
    sign_key BLOB NOT NULL,
    dh_key BLOB NOT NULL,
    currency TEXT NOT NULL,
    allowance INTEGER NOT NULL,
    settled_spent INTEGER NOT NULL DEFAULT 0,
    cert_serial INTEGER NOT NULL,
    head_seq INTEGER NOT NULL DEFAULT 0,
    head_hash BLOB NOT NULL,
    chain_spent INTEGER NOT NULL DEFAULT 0,
    chain_received INTEGER NOT NULL DEFAULT 0,
    last_payment_seq INTEGER NOT NULL DEFAULT 0,
    loads_recorded INTEGER NOT NULL DEFAULT 0,
    ack_recorded INTEGER NOT NULL DEFAULT 0,
    revoked INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL,
    CHECK (settled_spent >= 0 AND settled_spent <= allowance)
  ) WITHOUT ROWID;

  CREATE TABLE certificates (
    card BLOB NOT NULL REFERENCES cards(id),
    serial INTEGER NOT NULL,
    allowance INTEGER NOT NULL,
    epoch_from INTEGER NOT NULL,
    epoch_to INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (card, serial)
  ) WITHOUT ROWID;

  CREATE TABLE loads (
    card BLOB NOT NULL REFERENCES cards(id),
    serial INTEGER NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    allowance INTEGER NOT NULL,
    reference TEXT,
    sealed BLOB NOT NULL,
    recorded_seq INTEGER,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (card, serial),
    UNIQUE (card, reference)
  ) WITHOUT ROWID;

  -- Every card's chain. Rows only ever append (rowid order); the index on
  -- (card, seq) is small, so a sync touches few pages.
  CREATE TABLE ledger (
    id INTEGER PRIMARY KEY,
    card BLOB NOT NULL,
    seq INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    hash BLOB NOT NULL,
    body BLOB NOT NULL,
    signature BLOB,
    attachment BLOB,
    UNIQUE (card, seq)
  );

  -- A payment is stored once, when its first half arrives, and never
  -- updated: keyed by (payer, payer seq), not by its hash (a random hash
  -- index would dirty most of its pages in every sync transaction). The
  -- payer's half has arrived when the payer's synced chain reaches payer_seq;
  -- the payee's half is a row in receipts.
  CREATE TABLE settlements (
    id INTEGER PRIMARY KEY,
    payer BLOB NOT NULL,
    payer_seq INTEGER NOT NULL,
    payment_hash BLOB NOT NULL,
    payee BLOB NOT NULL,
    amount INTEGER NOT NULL,
    spent_before INTEGER NOT NULL,
    cert_serial INTEGER NOT NULL,
    body BLOB NOT NULL,
    signature BLOB NOT NULL,
    state INTEGER NOT NULL,
    UNIQUE (payer, payer_seq)
  );

  -- The payee's half: its receipt for the payment (payer, payer seq) is
  -- record payee_seq of its chain. Keyed by payee first, so the receipts of
  -- one sync land in one place of the index.
  CREATE TABLE receipts (
    payee BLOB NOT NULL,
    payer BLOB NOT NULL,
    payer_seq INTEGER NOT NULL,
    payee_seq INTEGER NOT NULL,
    PRIMARY KEY (payee, payer, payer_seq)
  ) WITHOUT ROWID;

  CREATE TABLE rejected (
    payment_hash BLOB PRIMARY KEY,
    payer BLOB NOT NULL,
    payer_seq INTEGER NOT NULL,
    payee BLOB NOT NULL,
    amount INTEGER NOT NULL,
    reason TEXT NOT NULL,
    fraud_proof INTEGER
  ) WITHOUT ROWID;

  CREATE TABLE fraud_proofs (
    id INTEGER PRIMARY KEY,
    card BLOB NOT NULL,
    kind TEXT NOT NULL,
    proof TEXT NOT NULL,
    hash BLOB NOT NULL UNIQUE,
    created_ms INTEGER NOT NULL
  );

  CREATE TABLE revocations (
    card BLOB PRIMARY KEY,
    version INTEGER NOT NULL UNIQUE,
    fraud_proof INTEGER NOT NULL REFERENCES fraud_proofs(id),
    epoch INTEGER NOT NULL,
    created_ms INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    hash BLOB NOT NULL,
    cbor BLOB NOT NULL
  );

  CREATE TABLE blocks (
    height INTEGER PRIMARY KEY,
    hash BLOB NOT NULL UNIQUE,
    header BLOB NOT NULL,
    first_event INTEGER NOT NULL,
    event_count INTEGER NOT NULL
  );

  CREATE TABLE block_signatures (
    height INTEGER NOT NULL REFERENCES blocks(height),
    key_id BLOB NOT NULL,
    signature BLOB NOT NULL,
    PRIMARY KEY (height, key_id)
  ) WITHOUT ROWID;

  CREATE TABLE authorities (
    key_id BLOB PRIMARY KEY,
    public_key BLOB NOT NULL,
    added_ms INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
];

/** The schema version this program writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;
