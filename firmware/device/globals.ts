// The globals the card core expects and Moddable keeps in modules:
// TextEncoder and TextDecoder. main.ts imports this module first, so these
// are installed before the core's bundle (which creates an encoder and a
// decoder when it loads) is evaluated.
import TextDecoder from 'text/decoder';
import TextEncoder from 'text/encoder';

const g = globalThis as unknown as Record<string, unknown>;
if (typeof g.TextEncoder !== 'function') g.TextEncoder = TextEncoder;
if (typeof g.TextDecoder !== 'function') g.TextDecoder = TextDecoder;
