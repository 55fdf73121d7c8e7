// Inside XS, on the instrumented worker (scripts/build-xsnap-memory.mjs): live
// memory after a full collection, and the preload alias counters. Shared by
// the memory benchmark's operation bundles (bench-memory-ops.ts,
// bench-memory-app-ops.ts).

export interface XsMemory {
  slots: number;
  heapSlots: number;
  chunks: number;
  chunkBytes: number;
  keys: number;
}

/** What preload's aliasing would cost: see xsPreloadDirty() in test/xs/native/tally-memory.c. */
export interface XsDirty {
  instances: number;
  closures: number;
  slots: number;
  itemBytes: number;
  aliasable: number;
}

interface XsGlobals {
  gc(): void;
  xsMemory(): string;
  xsPreloadDirty(): string;
  tallyCommands: Record<string, (msg: Record<string, unknown>) => unknown>;
}
export const xsGlobals = globalThis as unknown as XsGlobals;

export function live(): XsMemory {
  xsGlobals.gc();
  return JSON.parse(xsGlobals.xsMemory()) as XsMemory;
}

xsGlobals.tallyCommands.memDirty = (): XsDirty => {
  xsGlobals.gc();
  return JSON.parse(xsGlobals.xsPreloadDirty()) as XsDirty;
};
