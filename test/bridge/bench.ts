// npm run bench:bridge: a card holding 10,000 ledger records syncs through a
// pseudo-terminal and the real authority (its own process, SQLite on disk).
// Prints the throughput, the bytes on the serial wire per record, and how long
// the same bytes take on a real UART at 115200 and 921600 baud (8N1: 10 bits
// a byte), the round trips' latency aside.
import { fromHex } from '../../firmware/core/index.js';
import { provisionCard, syncCard } from '../../host/bridge/index.js';
import { World, fillLedger } from './helpers/world.js';

const RECORDS = Number(process.env.TALLY_BENCH_RECORDS ?? 10_000);

async function main(): Promise<void> {
  const w = new World();
  try {
    await w.start();
    await w.authority.post('/accounts', { id: 'alice', deposit: 10_000_000 });
    await w.authority.post('/accounts', { id: 'bob' });
    const [alice, bob] = await Promise.all([w.card('alice', 8192), w.card('bob')]);
    const ids: string[] = [];
    for (const [c, account] of [[alice, 'alice'], [bob, 'bob']] as const) {
      const card = await w.open(c);
      ids.push((await provisionCard(card, w.client, account)).card);
      await card.link.close();
    }
    await w.authority.post(`/cards/${ids[0]}/loads`, { amount: 1_000_000 });
    let card = await w.open(alice);
    await syncCard(card, w.client);
    await card.link.close();

    const view = await w.authority.get(`/cards/${ids[0]}`);
    const t0 = Date.now();
    await w.inHand(alice, (c) => fillLedger(c, fromHex(ids[1]!), RECORDS - (c.ledger.seq - view.head.seq), 1));
    const fillMs = Date.now() - t0;

    card = await w.open(alice, { timeoutMs: 5000 });
    const before = await card.info();
    const pending = before.seq - view.head.seq;
    card.link.bytesIn = 0;
    card.link.bytesOut = 0;
    const start = process.hrtime.bigint();
    const s = await syncCard(card, w.client);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const wire = card.link.bytesIn + card.link.bytesOut;
    await card.link.close();
    if (s.head.seq !== before.seq + (s.applied.ack ? 1 : 0)) throw new Error(`unexpected head ${s.head.seq}`);
    const perRecord = wire / pending;
    const at = (baud: number): string => `${((wire * 10) / baud).toFixed(1)} s`;
    const settled = (await w.authority.get(`/cards/${ids[0]}`)).settledSpent as number;
    console.log(`ledger: ${pending} records to sync (filled in ${fillMs} ms); ${s.uploaded} uploaded, ${s.accepted} new to the authority; ${settled} settled at the authority`);
    console.log(`sync: ${ms.toFixed(0)} ms through the pty and the authority; ${wire} bytes on the serial wire (${card.link.bytesOut} to the card, ${card.link.bytesIn} from it)`);
    console.log(`sync records/s: ${Math.round((pending * 1000) / ms)}`);
    console.log(`wire bytes per record: ${perRecord.toFixed(1)}`);
    console.log(`same sync on a UART at 115200 baud: ${at(115_200)} on the wire; at 921600 baud: ${at(921_600)}`);
  } finally {
    await w.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
