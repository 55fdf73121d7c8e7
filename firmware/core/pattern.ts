// Regular expressions for a preloaded module.
//
// The XS linker refuses to preload a RegExp instance ("XS linker
// warnings.md" in the Moddable SDK docs), so the core keeps none at module
// scope: a TextPattern holds the source and compiles it on first use, in RAM
// (the pattern object itself is an ordinary object, which preload aliases).
// The core uses only anchored patterns without the g or y flags, so sharing
// one compiled RegExp carries no lastIndex state between calls.

/** What the core and hosts use of a pattern: test, exec, and the source for error texts. */
export interface TextPattern {
  readonly source: string;
  test(text: string): boolean;
}

export class LazyPattern implements TextPattern {
  private compiled: RegExp | undefined = undefined;
  constructor(
    readonly source: string,
    readonly flags = '',
  ) {}
  private get re(): RegExp {
    return (this.compiled ??= new RegExp(this.source, this.flags));
  }
  test(text: string): boolean {
    return this.re.test(text);
  }
  exec(text: string): RegExpExecArray | null {
    return this.re.exec(text);
  }
}
