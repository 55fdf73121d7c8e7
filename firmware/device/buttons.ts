// Buttons on GPIO pins, with interrupts on both edges (ECMA-419
// embedded:io/digital, as the CoreInk's own host provider does it). The
// CoreInk has a rocker (up, down, press = select) and a side button, each
// pulling its pin low when pressed; the generic board manifest lists its own
// pins. Edges go to the app's ButtonDecoder, which debounces them.
import Digital from 'embedded:io/digital';
import type { OpenButtons } from './platform.js';

export const openButtons: OpenButtons = (config, edge) => {
  const inputs: Digital[] = [];
  for (const b of config.buttons) {
    const input: Digital = new Digital({
      pin: b.pin,
      // GPIO 34-39 have no internal pull-ups (the CoreInk's buttons have
      // external ones); elsewhere the internal pull-up holds the idle level.
      mode: Digital.InputPullUp,
      edge: Digital.Rising | Digital.Falling,
      onReadable(): void {
        const level = input.read();
        edge(b.id, b.activeLow ? level === 0 : level !== 0);
      },
    });
    inputs.push(input);
  }
  return {
    close(): void {
      for (const input of inputs) input.close();
      inputs.length = 0;
    },
  };
};
