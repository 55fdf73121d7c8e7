// Starts an in-process authority on a fresh SQLite file in a temp folder,
// bound to 127.0.0.1 on an ephemeral port.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Authority, listen, type AuthorityOptions, type Listening } from '../../../host/authority/index.js';
import { Client } from './client.js';

export interface Running {
  authority: Authority;
  server: Listening;
  client: Client;
  dir: string;
  dbPath: string;
  /** Stops server and authority; `keep` leaves the files. */
  stop(keep?: boolean): Promise<void>;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tally-authority-'));
}

export async function startAuthority(options: Partial<AuthorityOptions> = {}, dir = tempDir()): Promise<Running> {
  const dbPath = join(dir, 'authority.db');
  // No timers in tests unless asked: blocks seal by count or on request.
  const authority = Authority.open({ dbPath, blockIntervalMs: 0, workers: 2, ...options });
  const server = await listen(authority, { host: '127.0.0.1', port: 0 });
  let stopped = false;
  return {
    authority,
    server,
    client: new Client(server.url),
    dir,
    dbPath,
    async stop(keep = false) {
      if (!stopped) {
        stopped = true;
        await server.close();
        await authority.close();
      }
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}
