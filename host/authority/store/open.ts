// Opens (or creates) the authority's SQLite file: WAL, synchronous=FULL (a
// settlement the authority acknowledged survives a power cut), foreign keys,
// and the schema migrated to the version this program writes.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { refuse } from '../fail.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';

export type Db = Database.Database;

/** How long a connection waits for another one's write lock. */
const BUSY_TIMEOUT_MS = 5000;
/** SQLite's page cache per connection: a sync transaction's pages stay in memory until commit. */
const PAGE_CACHE_KIB = 64 * 1024;

export function openStore(path: string, options: { readonly?: boolean } = {}): Db {
  if (!options.readonly) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let db: Db;
  try {
    db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  } catch (e) {
    return refuse(7024, `${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (options.readonly) {
    checkVersion(db, path, true);
    return db;
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  checkVersion(db, path, false);
  migrate(db);
  return db;
}

function checkVersion(db: Db, path: string, readonly: boolean): void {
  const v = db.pragma('user_version', { simple: true }) as number;
  if (v > SCHEMA_VERSION) refuse(7024, `${path} has schema version ${v}; this program knows up to ${SCHEMA_VERSION}`);
  if (readonly && v === 0) refuse(7024, `${path} is not an authority database`);
  if (v === 0) {
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
    if (tables.n > 0) refuse(7024, `${path} holds tables but no authority schema version`);
  }
}

function migrate(db: Db): void {
  for (let v = db.pragma('user_version', { simple: true }) as number; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
