// The desktop build has no button pins: the simulator window has no hardware
// buttons to monitor. (Payments on the desktop run in the project's
// simulator; this build shows the screens and talks to the bridge.)
import type { OpenButtons } from './platform.js';

export const openButtons: OpenButtons = () => ({ close(): void {} });
