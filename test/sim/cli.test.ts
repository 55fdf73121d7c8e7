// `tally sim`: options are checked with numbered errors; --json prints one
// object with the fields the issue names.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TallyError } from '../../firmware/core/index.js';
import { parseFaults, parseScenarioArgs } from '../../simulator/options.js';

const bin = fileURLToPath(new URL('../../../bin/tally.js', import.meta.url));

function tally(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const refused = (fn: () => unknown, text: RegExp): void =>
  assert.throws(fn, (e: unknown) => e instanceof TallyError && e.code === 8001 && text.test(e.message));

describe('simulator: tally sim', function () {
  this.timeout(60_000);

  it('parses options and refuses bad ones with E8001', () => {
    const p = parseScenarioArgs(['--cards', '5', '--payments=9', '--seed', 'x', '--faults', 'power-cut=0.1,radio-loss=0.2', '--clones', '1', '--sync-every', '2.5', '--json']);
    assert.equal(p.json, true);
    assert.equal(p.options.cards, 5);
    assert.equal(p.options.payments, 9);
    assert.deepEqual(p.options.faults, { powerCut: 0.1, radioLoss: 0.2, disconnect: 0 });
    assert.equal(p.options.syncEveryHours, 2.5);
    refused(() => parseScenarioArgs(['--cards', 'many']), /--cards: a whole number/);
    refused(() => parseScenarioArgs(['--cards', '1']), /from 2/);
    refused(() => parseScenarioArgs(['--engine', 'spidermonkey']), /v8 or xs/);
    refused(() => parseScenarioArgs(['--faults', 'meteor=0.1']), /kinds power-cut, radio-loss, disconnect/);
    refused(() => parseScenarioArgs(['--faults', 'power-cut=2']), /probability/);
    refused(() => parseScenarioArgs(['--clones', '6', '--cards', '10']), /at most half/);
    refused(() => parseScenarioArgs(['--engine', 'xs', '--cards', '100']), /one XS worker per card/);
    refused(() => parseScenarioArgs(['--seed']), /needs a value/);
    refused(() => parseScenarioArgs(['--wat']), /unknown option --wat/);
    refused(() => parseScenarioArgs(['cards']), /unexpected argument/);
    refused(() => parseScenarioArgs(['--cards', '3', '--cards', '4']), /given twice/);
    assert.deepEqual(parseFaults('disconnect=0.5'), { powerCut: 0, radioLoss: 0, disconnect: 0.5 });
  });

  it('prints a numbered error and exits non-zero on bad input', async () => {
    const r = await tally(['sim', '--cards', 'x']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /E8001 SIM_OPTION/);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
    const s = await tally(['sim', 'screens']);
    assert.match(s.stderr, /E8001/);
  });

  it('--json prints one report object', async () => {
    const r = await tally(['sim', '--cards', '4', '--payments', '6', '--seed', 'cli', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    const j = JSON.parse(lines[0]!) as Record<string, Record<string, unknown>>;
    assert.equal(j.conservation!.ok, true);
    assert.equal(typeof j.frauds!.injected, 'number');
    assert.equal(typeof j.frauds!.detected, 'number');
    assert.equal(j.payments!.completed, 6);
    assert.equal(typeof j.latencyMs!.p50, 'number');
    assert.equal(typeof j.latencyMs!.p95, 'number');
  });
});
