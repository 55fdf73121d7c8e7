// `tally bridge` as a person runs it: real processes, exit codes, and the
// coded errors for a missing port, a busy port and an unreachable authority.
import { strict as assert } from 'node:assert';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fromHex } from '../../firmware/core/index.js';
import { SerialLink } from '../../host/bridge/index.js';
import { runTally, startTally } from './helpers/procs.js';
import { World, fillLedger, type WorldCard } from './helpers/world.js';

/** A loopback port nobody listens on. */
function deadPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('bridge: the tally bridge command', function () {
  this.timeout(60_000);
  const w = new World();
  let card: WorldCard;
  let bob: WorldCard;

  before(async () => {
    await w.start();
    await w.authority.post('/accounts', { id: 'carol', deposit: 50_000 });
    await w.authority.post('/accounts', { id: 'bob' });
    [card, bob] = await Promise.all([w.card('carol', 1024), w.card('bob')]);
  });
  after(() => w.stop());

  it('lists ports and explains a missing one (E6011)', async () => {
    const l = await runTally(['bridge', 'list']);
    assert.equal(l.code, 0, l.stderr);
    const r = await runTally(['bridge', 'info', '--port', join(w.dir, 'no-such-tty')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /E6011 SERIAL_PORT_MISSING/);
  });

  it('provisions a blank card and shows it', async () => {
    const p = await runTally(['bridge', 'provision', '--port', card.pty.b, '--authority', w.authority.url, '--account', 'carol']);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stdout, /provisioned card [0-9a-f]{32} for account carol/);
    const again = await runTally(['bridge', 'provision', '--port', card.pty.b, '--authority', w.authority.url, '--account', 'carol']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /E6010/);
    const i = await runTally(['bridge', 'info', '--port', card.pty.b, '--json']);
    assert.equal(i.code, 0, i.stderr);
    const info = JSON.parse(i.stdout);
    assert.equal(info.provisioned, true);
    assert.equal(info.account, 'carol');
    assert.ok(info.freeBytes > 0);
    const pb = await runTally(['bridge', 'provision', '--port', bob.pty.b, '--authority', w.authority.url, '--account', 'bob']);
    assert.equal(pb.code, 0, pb.stderr);
  });

  it('syncs with a progress bar on stderr', async () => {
    const id = JSON.parse((await runTally(['bridge', 'info', '--port', card.pty.b, '--json'])).stdout).card as string;
    const bobId = JSON.parse((await runTally(['bridge', 'info', '--port', bob.pty.b, '--json'])).stdout).card as string;
    await w.authority.post(`/cards/${id}/loads`, { amount: 20_000 });
    const s1 = await runTally(['bridge', 'sync', '--port', card.pty.b, '--authority', w.authority.url]);
    assert.equal(s1.code, 0, s1.stderr);
    await w.inHand(card, (c) => fillLedger(c, fromHex(bobId), 300, 5));
    const s = await runTally(['bridge', 'sync', '--port', card.pty.b, '--authority', w.authority.url, '--progress']);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /synced card [0-9a-f]{32}: 301 records uploaded \(301 new\)/);
    assert.match(s.stdout, /300 settled/);
    assert.match(s.stderr, /\[#+\] 100% /);
    assert.equal(s.stderr.includes('E'), false, 'no error printed');
  });

  it('says when the port is busy (E6012) or the authority unreachable (E6015)', async () => {
    const held = await SerialLink.open(card.pty.b);
    try {
      const r = await runTally(['bridge', 'info', '--port', card.pty.b]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /E6012 SERIAL_PORT_BUSY/);
    } finally {
      await held.close();
    }
    const port = await deadPort();
    const u = await runTally(['bridge', 'sync', '--port', card.pty.b, '--authority', `http://127.0.0.1:${port}`]);
    assert.equal(u.code, 1);
    assert.match(u.stderr, /E6015 BRIDGE_AUTHORITY_UNREACHABLE/);
    const bad = await runTally(['bridge', 'sync', '--port', card.pty.b]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /E9001/);
  });

  it('keeps syncing across a pulled cable with --wait', async () => {
    const id = JSON.parse((await runTally(['bridge', 'info', '--port', card.pty.b, '--json'])).stdout).card as string;
    const bobId = JSON.parse((await runTally(['bridge', 'info', '--port', bob.pty.b, '--json'])).stdout).card as string;
    await w.inHand(card, (c) => fillLedger(c, fromHex(bobId), 1500, 1));
    const proc = startTally(['bridge', 'sync', '--port', card.pty.b, '--authority', w.authority.url, '--wait', '20', '--timeout-ms', '500', '--progress', '--batch', '200']);
    const run = runTally([], 30_000, proc);
    // Pull the cable once the sync is under way, then plug it back in.
    for (let t = 0; !/ [1-9]\d*\/\d+ records/.test(proc.stderr) && t < 400; t++) await new Promise((r) => setTimeout(r, 5));
    const seen = card.proc.readyCount();
    await card.pty.cut();
    await new Promise((r) => setTimeout(r, 300));
    await card.pty.start();
    await card.proc.ready(seen + 1);
    const s = await run;
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stderr, /E6014 SERIAL_PORT_CLOSED.*waiting for/);
    const view = await w.authority.get(`/cards/${id}`);
    const info = JSON.parse((await runTally(['bridge', 'info', '--port', card.pty.b, '--json'])).stdout);
    assert.equal(view.head.seq, info.head.seq);
    assert.equal(view.chainSpent, 1500 + 1500);
  });
});
