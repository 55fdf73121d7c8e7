// The authority's key: made on first start, mode 0600, never in an answer or
// a log line, and bound to its database.
import { strict as assert } from 'node:assert';
import { chmodSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Authority } from '../../host/authority/index.js';
import { startAuthority, tempDir } from './helpers/authority.js';

describe('authority: its key', () => {
  it('is created with mode 0600, reused on restart, and never logged', async () => {
    const logs: string[] = [];
    const run = await startAuthority({ log: (l) => logs.push(l) });
    const keyPath = `${run.dbPath}.key`;
    assert.equal(statSync(keyPath).mode & 0o777, 0o600);
    const pub = Buffer.from(run.authority.publicKey).toString('hex');
    const seed = (JSON.parse(readFileSync(keyPath, 'utf8')) as { seed: string }).seed;
    await run.client.post('/accounts', { id: 'a' });
    const answers = JSON.stringify([await run.client.get('/authority'), await run.client.get('/health'), await run.client.get('/totals')]);
    assert.ok(answers.includes(pub));
    assert.ok(!answers.includes(seed));
    assert.ok(!JSON.stringify(run.authority.ctx.signer).includes(seed), 'the signer serialises without its secret');
    await run.stop(true);
    const again = Authority.open({ dbPath: run.dbPath, blockIntervalMs: 0, workers: 0 });
    assert.equal(Buffer.from(again.publicKey).toString('hex'), pub);
    await again.close();
    await run.stop();
    assert.ok(!logs.join('\n').includes(seed));
  });

  it('refuses a key file others can read, a malformed one, or one of another database', async () => {
    const dir = tempDir();
    const dbPath = join(dir, 'a.db');
    const a = Authority.open({ dbPath, workers: 0 });
    await a.close();
    const keyPath = `${dbPath}.key`;
    const good = readFileSync(keyPath, 'utf8');
    const code = (fn: () => unknown): number => {
      try {
        void (fn() as Authority | undefined)?.close();
      } catch (e) {
        return (e as { code: number }).code;
      }
      return 0;
    };
    chmodSync(keyPath, 0o644);
    assert.equal(code(() => Authority.open({ dbPath, workers: 0 })), 7023);
    chmodSync(keyPath, 0o600);
    writeFileSync(keyPath, '{"format":"tally-authority-key/1","seed":"zz"}');
    let err = '';
    try {
      Authority.open({ dbPath, workers: 0 });
    } catch (e) {
      err = (e as Error).message;
      assert.equal((e as { code: number }).code, 7023);
    }
    assert.ok(!err.includes('zz'), 'the message does not echo the file');
    writeFileSync(keyPath, good);
    // Another authority's key with this database.
    const other = join(dir, 'b.db');
    await Authority.open({ dbPath: other, workers: 0 }).close();
    assert.equal(code(() => Authority.open({ dbPath, keyPath: `${other}.key`, workers: 0 })), 7023);
    rmSync(dir, { recursive: true, force: true });
  });
});
