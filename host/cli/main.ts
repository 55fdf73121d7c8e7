// `tally <group> <command> [options]`: parses nothing itself; each group's
// module parses its own options and calls a function (thin CLIs).
import { TallyError } from '../../firmware/core/index.js';

export interface CommandGroup {
  /** One line per command, for `tally help`. */
  usage: string[];
  run(args: string[]): Promise<number>;
}

// Groups load lazily so `tally sim` never opens a serial port library, etc.
const groups: Record<string, () => Promise<CommandGroup>> = {};

/** Registers a group; each group's module is listed in host/cli/groups.ts. */
export function registerGroup(name: string, load: () => Promise<CommandGroup>): void {
  groups[name] = load;
}

export async function run(argv: string[]): Promise<number> {
  await import('./groups.js');
  const [group, ...rest] = argv;
  if (!group || group === 'help' || group === '--help' || group === '-h') {
    const lines = ['usage: tally <group> <command> [options]', ''];
    for (const name of Object.keys(groups).sort()) lines.push(...(await groups[name]!()).usage.map((u) => `  tally ${name} ${u}`));
    console.log(lines.join('\n'));
    return group ? 0 : 2;
  }
  const load = groups[group];
  if (!load) {
    console.error(`tally: E9001 unknown command group '${group}'; run 'tally help' for the list`);
    return 2;
  }
  try {
    return await (await load()).run(rest);
  } catch (e) {
    // Coded errors are for people: print the code and message, never a stack or a secret.
    if (e instanceof TallyError) {
      console.error(`tally ${group}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
