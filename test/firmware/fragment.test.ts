// Message fragmentation and reassembly over GATT values (firmware/app/fragment.ts):
// every size at the MTUs phones and cards negotiate, and recovery from lost,
// duplicated and reordered fragments and ACKs.
import { strict as assert } from 'node:assert';
import { LINK_MESSAGE_MAX, type TallyError } from '../../firmware/core/index.js';
import {
  ABORT_GAVE_UP,
  FragmentLink,
  KIND_ABORT,
  KIND_ACK,
  LinkCode,
  MIN_MTU,
  capacity,
  fragmentPayloads,
  valueBytes,
  type FragmentOptions,
} from '../../firmware/app/fragment.js';
import { ManualClock, bytes, seeded } from './fakes.js';

interface Side {
  link: FragmentLink;
  got: Uint8Array[];
  errors: TallyError[];
  sent: Uint8Array[];
}

interface Pipe {
  /** Drop this frame? */
  drop?: (frame: Uint8Array, from: 'a' | 'b') => boolean;
  /** Deliver this frame twice? */
  duplicate?: (frame: Uint8Array) => boolean;
  /** Swap it with the next frame in the queue? */
  reorder?: () => boolean;
}

/** Two links joined by a pipe the test can make lossy; frames move when run() pumps them. */
function pair(mtu: number, pipe: Pipe = {}, options: FragmentOptions = {}) {
  const clock = new ManualClock();
  const queue: { to: 'a' | 'b'; frame: Uint8Array }[] = [];
  const mk = (name: 'a' | 'b'): Side => {
    const side: Side = { link: undefined as unknown as FragmentLink, got: [], errors: [], sent: [] };
    side.link = new FragmentLink(
      {
        write: (frame) => {
          const f = Uint8Array.from(frame);
          side.sent.push(f);
          if (pipe.drop?.(f, name)) return;
          const to = name === 'a' ? 'b' : 'a';
          queue.push({ to, frame: f });
          if (pipe.duplicate?.(f)) queue.push({ to, frame: f });
        },
      },
      clock,
      { message: (m) => side.got.push(m), error: (e) => side.errors.push(e) },
      options,
    );
    side.link.setMtu(mtu);
    return side;
  };
  const a = mk('a');
  const b = mk('b');
  const sides = { a, b };
  /** Delivers frames until both directions are idle, advancing time through ACK timeouts. */
  const run = (maxRounds = 500): void => {
    for (let round = 0; round < maxRounds; round++) {
      while (queue.length) {
        if (queue.length > 1 && pipe.reorder?.()) {
          const first = queue.shift()!;
          queue.splice(1, 0, first);
        }
        const { to, frame } = queue.shift()!;
        sides[to].link.receive(frame);
      }
      if (!a.link.busy && !b.link.busy) return;
      clock.advance(options.ackTimeoutMs ?? 1500);
    }
    throw new Error('the links did not settle');
  };
  return { a, b, clock, run, queue };
}

describe('firmware: GATT fragmentation (FragmentLink)', () => {
  it('sizes fragments to the ATT MTU: 3 bytes of ATT header, 6 or 4 of ours', () => {
    assert.equal(valueBytes(23), 20);
    assert.equal(valueBytes(247), 244);
    assert.equal(valueBytes(5), 20, 'below the minimum MTU counts as 23');
    assert.equal(valueBytes(10_000), 514, 'above 517 counts as 517');
    const parts = fragmentPayloads(bytes(100), 23);
    assert.equal(parts[0]!.length, 14);
    assert.ok(parts.slice(1, -1).every((p) => p.length === 16));
    assert.equal(parts.reduce((n, p) => n + p.length, 0), 100);
    assert.equal(fragmentPayloads(new Uint8Array(0), 185).length, 1, 'an empty message is one empty fragment');
    assert.ok(capacity(MIN_MTU) >= LINK_MESSAGE_MAX, 'the largest payment message fits even at the minimum MTU');
  });

  for (const mtu of [23, 185, 247]) {
    it(`carries messages of every awkward size intact at MTU ${mtu}`, () => {
      const { a, b, run } = pair(mtu);
      const first = valueBytes(mtu) - 6;
      const rest = valueBytes(mtu) - 4;
      const sizes = [0, 1, first - 1, first, first + 1, first + rest, first + 8 * rest, 1000, LINK_MESSAGE_MAX];
      const sent = sizes.map((n, i) => bytes(n, i + 1));
      for (const m of sent) a.link.send(m);
      run();
      assert.deepEqual(b.got, sent);
      assert.deepEqual(a.errors, []);
      assert.deepEqual(b.errors, []);
      // and back the other way
      b.link.send(sent[7]!);
      run();
      assert.deepEqual(a.got, [sent[7]]);
    });
  }

  it('recovers from lost, duplicated and reordered fragments and ACKs, delivering each message once', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const r = seeded(seed);
      const { a, b, run } = pair(
        [23, 64, 185][seed % 3]!,
        { drop: () => r() < 0.2, duplicate: () => r() < 0.1, reorder: () => r() < 0.1 },
        { maxRetries: 50 },
      );
      const sent = [bytes(3000, seed), bytes(40, seed + 10), bytes(LINK_MESSAGE_MAX, seed + 20)];
      const back = [bytes(500, seed + 30)];
      for (const m of sent) a.link.send(m);
      for (const m of back) b.link.send(m);
      run(5000);
      assert.deepEqual(b.got, sent, `seed ${seed}: a -> b`);
      assert.deepEqual(a.got, back, `seed ${seed}: b -> a`);
      assert.deepEqual(a.errors, [], `seed ${seed}`);
      assert.deepEqual(b.errors, [], `seed ${seed}`);
    }
  });

  it('a lost final ACK costs a retransmission, not a second delivery', () => {
    let dropped = 0;
    const { a, b, run } = pair(185, {
      drop: (f, from) => from === 'b' && (f[0]! & 0xc0) === KIND_ACK && dropped++ === 0,
    });
    const m = bytes(300);
    a.link.send(m);
    run();
    assert.equal(dropped, 2, 'the first ACK was dropped, then the resent poll was acknowledged again');
    assert.deepEqual(b.got, [m]);
    assert.deepEqual(a.errors, []);
  });

  it('gives up after maxRetries silent rounds: PAYMENT_ABORTED, an ABORT frame, and the next message goes on', () => {
    const { a, clock } = pair(23, { drop: () => true }, { maxRetries: 2 });
    a.link.send(bytes(50));
    a.link.send(bytes(10, 2));
    clock.advance(1500 * 3);
    assert.equal(a.errors.length, 1);
    assert.equal(a.errors[0]!.code, LinkCode.LOST);
    const abort = a.sent.find((f) => (f[0]! & 0xc0) === KIND_ABORT);
    assert.ok(abort);
    assert.equal(abort[2], ABORT_GAVE_UP);
    assert.ok(a.link.busy, 'the queued message is under way');
  });

  it('refuses messages longer than maxMessageBytes on both ends (4014)', () => {
    const small = pair(185, {}, { maxMessageBytes: 100 });
    assert.throws(() => small.a.link.send(bytes(101)), (e: TallyError) => e.code === LinkCode.TOO_LONG);
    // A sender that allows more announces 200 bytes to a receiver that allows 100.
    const clock = new ManualClock();
    const senderErrors: TallyError[] = [];
    const receiverErrors: TallyError[] = [];
    let sender: FragmentLink | null = null;
    const receiver = new FragmentLink(
      { write: (f) => sender?.receive(f) },
      clock,
      { message: () => assert.fail('delivered'), error: (e) => receiverErrors.push(e) },
      { maxMessageBytes: 100 },
    );
    sender = new FragmentLink({ write: (f) => receiver.receive(f) }, clock, { message: () => {}, error: (e) => senderErrors.push(e) });
    sender.setMtu(185);
    receiver.setMtu(185);
    sender.send(bytes(200));
    assert.equal(receiverErrors[0]?.code, LinkCode.TOO_LONG, 'the receiver refused');
    assert.equal(senderErrors[0]?.code, LinkCode.TOO_LONG, 'the sender learned why');
    assert.ok(!sender.busy);
  });

  it('reports malformed frames (1011) and stays usable', () => {
    const { a, b, run } = pair(185);
    b.link.receive(new Uint8Array(0));
    b.link.receive(Uint8Array.of(0x00, 0x00));
    b.link.receive(Uint8Array.of(KIND_ACK, 0x00, 0x00)); // an ACK without its count
    assert.equal(b.errors.length, 3);
    assert.ok(b.errors.every((e) => e.code === LinkCode.MALFORMED));
    const m = bytes(400);
    a.link.send(m);
    run();
    assert.deepEqual(b.got, [m]);
  });

  it('aborts a fragment that overruns its announced length', () => {
    const clock = new ManualClock();
    const errors: TallyError[] = [];
    const out: Uint8Array[] = [];
    const link = new FragmentLink({ write: (f) => out.push(f) }, clock, { message: () => assert.fail('delivered'), error: (e) => errors.push(e) });
    // fragment 0 of message 7 says 4 bytes, then carries 5
    link.receive(Uint8Array.of(0x40 | 1, 7, 0, 0, 0, 4, 1, 2, 3, 4, 5));
    assert.equal(errors[0]?.code, LinkCode.MALFORMED);
    assert.equal(out[0]?.[0], KIND_ABORT);
  });

  it('drops a half-received message after the stall timeout (4015)', () => {
    const clock = new ManualClock();
    const errors: TallyError[] = [];
    const link = new FragmentLink({ write: () => {} }, clock, { message: () => assert.fail('delivered'), error: (e) => errors.push(e) }, { stallTimeoutMs: 1000 });
    link.receive(Uint8Array.of(0x00, 3, 0, 0, 0, 100, 1, 2, 3)); // 3 of 100 bytes
    clock.advance(999);
    assert.equal(errors.length, 0);
    clock.advance(1);
    assert.equal(errors[0]?.code, LinkCode.LOST);
  });

  it('is closed for good: sends throw 9001, frames are ignored', () => {
    const { a, b } = pair(23);
    a.link.close();
    assert.ok(a.link.isClosed);
    assert.throws(() => a.link.send(bytes(3)), (e: TallyError) => e.code === LinkCode.ARGUMENT);
    a.link.receive(Uint8Array.of(0, 0, 0, 0, 0, 1, 9));
    assert.deepEqual(a.got, []);
    assert.throws(() => new FragmentLink({ write: () => {} }, new ManualClock(), { message: () => {}, error: () => {} }, { maxMessageBytes: 70_000 }), (e: TallyError) => e.code === 9001);
    void b;
  });
});
