// `tally sim`: the desktop simulator's command group. Thin: parse, call, print.
//
//   tally sim [--cards N] [--payments M] [--seed S] [--engine v8|xs] [--faults power-cut=P,radio-loss=P,disconnect=P]
//             [--clones K] [--sync-every H] [--qr SHARE] [--rate R] [--flash-kib K] [--data DIR] [--no-memo] [--progress N] [--json]
//   tally sim demo [--data DIR]      the newcomer's first run (npm start)
//   tally sim screens --out DIR      every screen the firmware can show, as PNG
import type { CommandGroup } from '../host/cli/main.js';
import { tallyError } from '../firmware/core/index.js';
import { parseScenarioArgs } from './options.js';

function one(args: string[], name: string, fallback?: string): string | undefined {
  let v = fallback;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === `--${name}`) {
      v = args[++i];
      if (v === undefined || v.startsWith('--')) throw tallyError(8001, `--${name} needs a value`);
    } else if (a.startsWith(`--${name}=`)) v = a.slice(name.length + 3);
    else if (a.startsWith('--')) throw tallyError(8001, `unknown option ${a.split('=')[0]!.slice(0, 40)}; run 'tally help'`);
    else throw tallyError(8001, `unexpected argument '${a.slice(0, 40)}'`);
  }
  return v;
}

const group: CommandGroup = {
  usage: [
    '[--cards N] [--payments M] [--seed S] [--engine v8|xs] [--faults power-cut=P,radio-loss=P,disconnect=P] [--clones K] [--sync-every H] [--qr SHARE] [--data DIR] [--json]',
    '          a world of simulated cards paying offline, cloned, syncing; then a report (simulator/README.md)',
    'demo [--data DIR]       the first run (npm start): an authority, two cards and a phone, a QR and a tap payment, a sync',
    'screens --out DIR       write every screen the card firmware can show as PNG',
  ],
  async run(args) {
    const sub = args[0] && !args[0].startsWith('--') ? args[0] : undefined;
    if (sub === 'demo') {
      const { runDemo } = await import('./demo.js');
      const dir = one(args.slice(1), 'data', 'data/demo')!;
      await runDemo({ dir, out: (l) => console.log(l) });
      return 0;
    }
    if (sub === 'screens') {
      const out = one(args.slice(1), 'out');
      if (!out) throw tallyError(8001, 'tally sim screens --out DIR: the folder for the PNG files');
      const { writeScreens } = await import('./screens.js');
      const files = await writeScreens(out);
      console.log(`${files.length} screens written to ${out}`);
      return 0;
    }
    if (sub !== undefined) throw tallyError(8001, `unknown command 'sim ${sub.slice(0, 30)}'; run 'tally help'`);
    const { options, json } = parseScenarioArgs(args);
    const { runScenario } = await import('./world/scenario.js');
    const report = await runScenario(options, { log: (l) => process.stderr.write(`sim: ${l}\n`) });
    if (json) console.log(JSON.stringify(report));
    else {
      const { formatReport } = await import('./world/report.js');
      console.log(formatReport(report));
    }
    if (!report.conservation.ok || report.frauds.undetected.length > 0) {
      process.stderr.write(`tally sim: ${tallyError(8002).message}\n`);
      return 1;
    }
    return 0;
  },
};

export default group;
