// XS globals (from $MODDABLE/xs/includes/xs.d.ts), as far as the firmware uses them.
interface Trace {
  (...log: (string | number | boolean)[]): void;
}
declare const trace: Trace;

declare class HostBuffer {
  readonly byteLength: number;
  private brand: boolean;
}
