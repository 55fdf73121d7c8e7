// The command groups of `tally`. Each line registers one group's module.
import { registerGroup } from './main.js';

void registerGroup;
