// A digest of every row of every table: equal digests, equal databases.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';

export function dbDigest(path: string): string {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const h = createHash('sha256');
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
    for (const { name } of tables) {
      h.update(`\n#${name}\n`);
      for (const row of db.prepare(`SELECT * FROM "${name}" ORDER BY 1, 2`).iterate()) {
        h.update(JSON.stringify(row, (_k, v: unknown) => (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' ? Buffer.from((v as { data: number[] }).data).toString('hex') : v)));
      }
    }
    return h.digest('hex');
  } finally {
    db.close();
  }
}
