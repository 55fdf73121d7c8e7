// Secrets held without `#private` fields.
//
// The firmware bundle lowers class fields for XS (scripts/build-core.mjs), and
// esbuild then turns every `#field` into a module-scope WeakMap. Under XS
// preload those WeakMaps live in flash and are read-only, so the first
// `new Signer()` at run time would throw (docs/firmware-memory.md). Instead,
// a class keeps its secret in a closure made by its constructor and exposes
// only functions over it, defined here as own properties that are
// non-enumerable, non-writable and non-configurable: JSON.stringify,
// Object.keys, for-in, spreading and default inspection never see them, and
// the secret itself is no property of anything.

/** Defines each function as a hidden, read-only own method of `target` (declare them on the class). */
export function defineHiddenMethods(target: object, methods: Record<string, (...args: never[]) => unknown>): void {
  for (const key of Object.keys(methods)) {
    Object.defineProperty(target, key, { value: methods[key], enumerable: false, writable: false, configurable: false });
  }
}
