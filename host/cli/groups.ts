// The command groups of `tally`. Each line registers one group's module.
import { registerGroup } from './main.js';

void registerGroup;
registerGroup('authority', async () => (await import('../authority/cli.js')).default);
registerGroup('bridge', async () => (await import('../bridge/cli.js')).default);
registerGroup('sim', async () => (await import('../../simulator/cli.js')).default);
