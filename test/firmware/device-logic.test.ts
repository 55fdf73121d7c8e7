// The portable parts under the device adapters: the ledger's flash region and
// its NOR emulation, the serial byte pump, BLE identifiers and advertisement
// parsing, the link binding of one connection to one payment, and the SSD1681
// e-paper command sequence.
import { strict as assert } from 'node:assert';
import type { TallyError } from '../../firmware/core/index.js';
import { OFFER_UUID, RX_UUID, SERVICE_UUID, TX_UUID, adStructures, advertisesService, uuidBytesLE } from '../../firmware/app/ble-ids.js';
import { Cmd, EpaperError, Ssd1681, UPDATE_FULL, UPDATE_PARTIAL, type EpaperBus } from '../../firmware/app/epaper.js';
import { FlashRegion, NorEmulation, type ByteStore } from '../../firmware/app/flash-region.js';
import { FragmentLink, LinkCode } from '../../firmware/app/fragment.js';
import { SessionBinding } from '../../firmware/app/radio.js';
import { SerialPump } from '../../firmware/app/serial.js';
import { Framebuffer } from '../../firmware/ui/framebuffer.js';
import { FakeConnection, FakeSession, ManualClock, bytes } from './fakes.js';

const code = (n: number) => (e: unknown) => (e as TallyError).code === n;

function memoryStore(size: number): ByteStore & { data: Uint8Array } {
  const data = new Uint8Array(size).fill(0xff);
  return {
    data,
    byteLength: size,
    read: (o, n) => data.slice(o, o + n),
    overwrite: (o, d) => data.set(d, o),
  };
}

describe('firmware: ledger flash region', () => {
  it('behaves like NOR flash on plain storage: writes AND, erase sets 0xFF', () => {
    const store = memoryStore(4 * 4096);
    const region = new FlashRegion(new NorEmulation(store));
    assert.equal(region.sizeBytes, 16384);
    assert.equal(region.sectorBytes, 4096);
    region.write(10, Uint8Array.of(0b1111_0000, 0x0f));
    region.write(10, Uint8Array.of(0b1010_1010, 0xff));
    assert.deepEqual([...region.read(10, 2)], [0b1010_0000, 0x0f], 'a write only clears bits');
    region.eraseSector(0);
    assert.ok(region.read(0, 4096).every((b) => b === 0xff));
    assert.deepEqual([...region.read(0, 0)], []);
  });

  it('refuses every access outside the region with 9001, and never touches the storage then', () => {
    const store = memoryStore(2 * 4096);
    const region = new FlashRegion(new NorEmulation(store));
    const before = store.data.slice();
    for (const f of [
      () => region.read(-1, 1),
      () => region.read(8190, 3),
      () => region.read(0.5, 1),
      () => region.write(8192, Uint8Array.of(0)),
      () => region.write(0, [1, 2] as unknown as Uint8Array),
      () => region.eraseSector(2),
      () => region.eraseSector(-1),
    ]) {
      assert.throws(f, code(9001));
    }
    assert.deepEqual(store.data, before);
    assert.throws(() => new FlashRegion({ byteLength: 100, blockSize: 4096, read: () => new Uint8Array(), write: () => {}, erase: () => {} }), code(9001));
    assert.throws(() => new FlashRegion({ byteLength: 8192, blockSize: 1000, read: () => new Uint8Array(), write: () => {}, erase: () => {} }), code(9001));
  });
});

describe('firmware: serial byte pump', () => {
  it('feeds the UART only as much as its FIFO has room for, in order', () => {
    const out: number[][] = [];
    const pump = new SerialPump((b) => out.push([...b]));
    pump.write(Uint8Array.of(1, 2, 3, 4, 5));
    pump.write(Uint8Array.of(6, 7));
    assert.deepEqual(out, [], 'no room reported yet');
    pump.writable(3);
    pump.writable(3);
    pump.writable(128);
    assert.deepEqual(out, [[1, 2, 3], [4, 5], [6], [7]]);
    assert.equal(pump.pending, 0);
    const got: number[][] = [];
    pump.onReceive = (b) => got.push([...b]);
    pump.received(Uint8Array.of(9, 9));
    pump.received(new Uint8Array(0));
    assert.deepEqual(got, [[9, 9]]);
  });

  it('refuses to queue more than its limit (6002) and non-bytes (9001)', () => {
    const pump = new SerialPump(() => {}, { maxQueued: 10 });
    pump.write(new Uint8Array(8));
    assert.throws(() => pump.write(new Uint8Array(3)), code(6002));
    assert.throws(() => pump.write('text' as unknown as Uint8Array), code(9001));
    assert.equal(pump.pending, 8);
  });
});

describe('firmware: BLE identifiers', () => {
  it('puts UUIDs on air least significant byte first', () => {
    const le = uuidBytesLE(SERVICE_UUID);
    assert.equal(le.length, 16);
    assert.equal(le[15], 0x5d);
    assert.equal(le[0], 0x30);
    assert.equal(new Set([SERVICE_UUID, RX_UUID, TX_UUID, OFFER_UUID]).size, 4);
    assert.throws(() => uuidBytesLE('not-a-uuid'), RangeError);
  });

  it('finds the Tally service in an advertising packet, and ignores truncated structures', () => {
    const le = uuidBytesLE(SERVICE_UUID);
    const packet = Uint8Array.of(2, 0x01, 0x06, 17, 0x07, ...le, 4, 0x09, 0x54, 0x61, 0x6c);
    assert.ok(advertisesService(packet, le));
    assert.equal(adStructures(packet, 0x09).length, 1);
    assert.ok(!advertisesService(packet, uuidBytesLE(RX_UUID)));
    assert.ok(!advertisesService(Uint8Array.of(2, 0x01, 0x06, 17, 0x07, ...le.slice(0, 10)), le), 'cut short');
    assert.ok(!advertisesService(Uint8Array.of(0, 0x07, ...le), le), 'zero-length structure ends the packet');
  });
});

describe('firmware: one connection, one payment (SessionBinding)', () => {
  it('hands whole messages to the card, including those that arrive before it attaches', () => {
    const clock = new ManualClock();
    const conn = new FakeConnection();
    const ends: (TallyError | undefined)[] = [];
    const b = new SessionBinding(conn, clock, (e) => ends.push(e));
    b.mtu(100);
    const peer = new FragmentLink({ write: (f) => b.value(f) }, clock, { message: () => {}, error: () => {} });
    peer.setMtu(100);
    const early = bytes(300, 3);
    peer.send(early);
    const session = new FakeSession();
    b.attach(session);
    assert.deepEqual(session.received, [early]);
    b.cardLink.close();
    assert.ok(conn.closed);
    assert.ok(b.isEnded);
    assert.equal(session.lost, 0, 'the card closed it: not reported back as lost');
    assert.deepEqual(ends, [undefined]);
  });

  it('reports a disconnect or a message lost for good to the card as a lost link', () => {
    const clock = new ManualClock();
    const conn = new FakeConnection();
    const ends: (TallyError | undefined)[] = [];
    const b = new SessionBinding(conn, clock, (e) => ends.push(e), { maxRetries: 1, ackTimeoutMs: 100 });
    const session = new FakeSession();
    b.attach(session);
    b.cardLink.send(bytes(50)); // the peer never answers
    clock.advance(200);
    assert.equal(session.lost, 1);
    assert.equal(ends[0]?.code, LinkCode.LOST);
    assert.ok(conn.closed);
    b.disconnected();
    assert.equal(session.lost, 1, 'ends once');
  });
});

describe('firmware: a finished session drains its last message', () => {
  it('keeps the connection until the last message is acknowledged, then closes it', () => {
    const clock = new ManualClock();
    const conn = new FakeConnection();
    const ends: (TallyError | undefined)[] = [];
    const b = new SessionBinding(conn, clock, (e) => ends.push(e));
    b.attach(new FakeSession());
    const got: Uint8Array[] = [];
    const peer = new FragmentLink({ write: (f) => b.value(f) }, clock, { message: (m) => got.push(m), error: () => {} });
    const receipt = bytes(120, 7);
    b.cardLink.send(receipt);
    b.cardLink.close(); // the card's session is over
    assert.ok(b.isEnded && b.isDraining);
    assert.ok(!conn.closed, 'still connected: the receipt is on its way');
    for (const f of conn.written.splice(0)) peer.receive(f);
    assert.deepEqual(got, [receipt]);
    assert.ok(conn.closed, 'closed once acknowledged');
    assert.ok(!b.isDraining);
    assert.deepEqual(ends, [undefined]);
  });

  it('gives up draining after the drain time, or when the peer disconnects', () => {
    const clock = new ManualClock();
    const conn = new FakeConnection();
    const b = new SessionBinding(conn, clock, () => {}, { drainMs: 3000, ackTimeoutMs: 10_000 });
    b.cardLink.send(bytes(30));
    b.cardLink.close();
    clock.advance(2999);
    assert.ok(!conn.closed);
    clock.advance(1);
    assert.ok(conn.closed);
    const conn2 = new FakeConnection();
    const b2 = new SessionBinding(conn2, clock, () => {});
    b2.cardLink.send(bytes(30));
    b2.cardLink.close();
    b2.disconnected();
    assert.ok(conn2.closed && !b2.isDraining);
  });
});

class RecordingBus implements EpaperBus {
  readonly log: { cmd: number; data: number[] }[] = [];
  resets = 0;
  busyFor = 0;
  time = 0;
  command(cmd: number, data?: Uint8Array): void {
    this.log.push({ cmd, data: data ? [...data] : [] });
  }
  reset(): void {
    this.resets++;
  }
  busy(): boolean {
    this.time++;
    return this.busyFor-- > 0;
  }
  now(): number {
    return this.time;
  }
  cmds(): number[] {
    return this.log.map((c) => c.cmd);
  }
}

describe('firmware: SSD1681 e-paper panel (generic ESP32 board)', () => {
  it('initialises the 200x200 geometry, then shows pictures inverted (RAM: set bit = white)', () => {
    const bus = new RecordingBus();
    const panel = new Ssd1681(bus);
    const fb = new Framebuffer();
    fb.fillRect(0, 0, 8, 1, true); // the first byte: eight black pixels
    panel.show(fb, 'full');
    assert.equal(bus.resets, 1);
    const cmds = bus.cmds();
    assert.deepEqual(cmds.slice(0, 8), [Cmd.SOFT_RESET, Cmd.DRIVER_OUTPUT, Cmd.DATA_ENTRY, Cmd.RAM_X, Cmd.RAM_Y, Cmd.BORDER, Cmd.TEMPERATURE_SENSOR, Cmd.RAM_X_COUNTER]);
    assert.deepEqual(bus.log[1]!.data, [199, 0, 0]);
    assert.deepEqual(bus.log[3]!.data, [0, 24]);
    const bw = bus.log.find((c) => c.cmd === Cmd.WRITE_BW)!;
    assert.equal(bw.data.length, 5000);
    assert.equal(bw.data[0], 0x00, 'black');
    assert.equal(bw.data[1], 0xff, 'white');
    assert.ok(bus.log.some((c) => c.cmd === Cmd.WRITE_PREVIOUS), 'the base picture for later partial updates');
    assert.deepEqual(bus.log.find((c) => c.cmd === Cmd.UPDATE_CONTROL_2)!.data, [UPDATE_FULL]);
    assert.equal(cmds[cmds.length - 1], Cmd.MASTER_ACTIVATION);
  });

  it('updates partially with the fast waveform and keeps the previous-picture RAM in step', () => {
    const bus = new RecordingBus();
    const panel = new Ssd1681(bus);
    panel.show(new Framebuffer(), 'full');
    bus.log.length = 0;
    panel.show(new Framebuffer(), 'partial');
    const cmds = bus.cmds();
    assert.equal(bus.resets, 1, 'no second reset');
    assert.deepEqual(bus.log.find((c) => c.cmd === Cmd.UPDATE_CONTROL_2)!.data, [UPDATE_PARTIAL]);
    assert.ok(cmds.indexOf(Cmd.WRITE_BW) < cmds.indexOf(Cmd.MASTER_ACTIVATION));
    assert.ok(cmds.lastIndexOf(Cmd.WRITE_PREVIOUS) > cmds.indexOf(Cmd.MASTER_ACTIVATION), 'previous RAM written after the update');
  });

  it('gives up on a panel that stays busy, and resets it on the next picture', () => {
    const bus = new RecordingBus();
    const panel = new Ssd1681(bus, { busyTimeoutMs: 50 });
    bus.busyFor = 1_000_000;
    assert.throws(() => panel.show(new Framebuffer(), 'full'), EpaperError);
    bus.busyFor = 0;
    panel.show(new Framebuffer(), 'partial');
    assert.equal(bus.resets, 2);
    assert.throws(() => panel.show(new Framebuffer(100, 100), 'full'), code(9001));
  });
});
