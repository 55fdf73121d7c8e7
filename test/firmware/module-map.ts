// The module map mcconfig builds for each target from manifests/, and how XS
// resolves an import specifier against it. Shared by the manifest checks
// (test/firmware/manifests.test.ts) and the XS compile of the firmware as
// mcconfig would build it (test/xs/firmware-compile.test.ts).
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// This file runs as build/test/firmware/module-map.js.
export const root = fileURLToPath(new URL('../../../', import.meta.url));
const read = (p: string): string => readFileSync(join(root, p), 'utf8');
export const json = (p: string): Record<string, any> => JSON.parse(read(p)) as Record<string, any>;

export const TARGETS = { m5core_ink: 'targets/m5core_ink.json', esp32: 'targets/esp32.json', lin: 'targets/lin.json' } as const;
export type Target = keyof typeof TARGETS;

/** The SDK modules each manifest our manifests include provides (the ones the firmware imports). */
export const SDK_PROVIDES: Record<string, string[]> = {
  '$(MODDABLE)/examples/manifest_base.json': ['timer'],
  '$(MODDABLE)/examples/manifest_typings.json': [],
  '$(MODDABLE)/examples/manifest_commodetto.json': ['commodetto/Poco', 'commodetto/Bitmap'],
  '$(MODDABLE)/modules/data/qrcode/manifest.json': ['qrcode'],
  '$(MODDABLE)/modules/data/text/encoder/manifest.json': ['text/encoder'],
  '$(MODDABLE)/modules/data/text/decoder/manifest.json': ['text/decoder'],
  '$(MODDABLE)/modules/files/preference/manifest.json': ['preference'],
  '$(MODDABLE)/modules/crypt/digest/manifest.json': ['crypt'],
  '$(MODDABLE)/modules/files/flash/manifest.json': ['flash'],
  '$(MODDABLE)/modules/files/file/manifest.json': ['file'],
  // modules/io/manifest.json includes manifests/<platform>/manifest.json: ESP32 maps every
  // embedded:io class; lin (modules/io/manifests/lin/manifest.json) only serial and sockets.
  '$(MODDABLE)/modules/io/manifest.json': ['embedded:io/serial', 'embedded:io/digital', 'embedded:io/spi'],
  '$(MODDABLE)/modules/network/ble/manifest_server.json': ['bleserver', 'btutils', 'gap'],
  '$(MODDABLE)/modules/network/ble/manifest_client.json': ['bleclient', 'btutils', 'gatt'],
};
/** What an SDK manifest does not provide on a platform although it does on the ESP32. */
export const SDK_MISSING: Record<string, Partial<Record<Target, string[]>>> = {
  '$(MODDABLE)/modules/io/manifest.json': { lin: ['embedded:io/digital', 'embedded:io/spi'] },
};

/**
 * The specifier XS looks up for `spec` imported by the module named `referrer`,
 * as fxFindModule does in xs/platforms/mc/xsHosts.c (and xs/tools/xsl.c for
 * preloaded modules): a last-component ".js" or ".mjs" is dropped, and "./" or
 * ONE "../" is resolved against the referrer's name; "../../" is not.
 * Undefined where XS finds nothing.
 */
export function xsSpecifier(referrer: string, spec: string): string | undefined {
  const dot = spec.startsWith('./') ? 1 : spec.startsWith('../') ? 2 : 0;
  let name = spec;
  const last = name.lastIndexOf('/');
  const ext = name.lastIndexOf('.');
  if (ext > last && ['.js', '.mjs'].includes(name.slice(ext))) name = name.slice(0, ext);
  if (!dot) return name;
  let base = '/' + referrer;
  base = base.slice(0, base.lastIndexOf('/'));
  if (dot === 2) {
    const up = base.lastIndexOf('/');
    if (up < 0) return undefined;
    base = base.slice(0, up);
  }
  const path = (base + name.slice(dot)).slice(1);
  return path.split('/').includes('..') || path.split('/').includes('.') ? undefined : path;
}

/** Always there: mcconfig generates it from the manifests' config. */
export const GENERATED = ['mc/config'];

export interface Module {
  specifier: string;
  /** Repository-relative path of the source file. */
  file: string;
}

export function asList(v: unknown): string[] {
  return v === undefined ? [] : Array.isArray(v) ? (v as string[]) : [v as string];
}

/** The module map mcconfig builds for a target from our manifest and the target's, expanded like mcmanifest.js does. */
export function modulesFor(target: Target): { modules: Module[]; cFiles: string[]; includes: string[] } {
  const main = json('manifests/manifest.json');
  const t = json(`manifests/${TARGETS[target]}`);
  const modules: Module[] = [];
  const cFiles: string[] = [];
  const resolvePath = (p: string): string => {
    assert.ok(p.startsWith('$(TALLY)/'), `${p}: our modules are named from $(TALLY)`);
    return p.slice('$(TALLY)/'.length);
  };
  for (const map of [main.modules, t.modules] as Record<string, string | string[]>[]) {
    for (const [key, value] of Object.entries(map)) {
      for (const src of asList(value)) {
        const path = resolvePath(src);
        const dir = dirname(path);
        const name = path.slice(dir.length + 1);
        const files = readdirSync(join(root, dir));
        if (key === '*') {
          // C sources by name
          const c = files.filter((f) => f === `${name}.c`);
          assert.equal(c.length, 1, `${src}: no ${name}.c`);
          cFiles.push(join(dir, c[0]!));
        } else if (name === '*') {
          for (const f of files) if (f.endsWith('.ts') && !f.endsWith('.d.ts')) modules.push({ specifier: key.slice(0, -1) + f.slice(0, -3), file: join(dir, f) });
        } else {
          // mcmanifest: files whose name (without the last extension) is `name`
          const hits = files.filter((f) => f.slice(0, f.lastIndexOf('.')) === name && /\.(ts|js)$/.test(f));
          assert.ok(hits.length >= 1, `${key}: nothing at ${src}`);
          for (const f of hits) if (!f.endsWith('.d.ts')) modules.push({ specifier: key, file: join(dir, f) });
        }
      }
    }
  }
  const includes = [...asList(main.include), ...asList(t.include)];
  return { modules, cFiles, includes };
}

/** The SDK module specifiers a target's included manifests provide, plus mcconfig's generated ones. */
export function providedFor(target: Target, includes: string[]): Set<string> {
  const provided = new Set(GENERATED);
  for (const inc of includes) {
    if (!inc.startsWith('$(MODDABLE)')) continue;
    assert.ok(inc in SDK_PROVIDES, `${inc}: add what it provides to SDK_PROVIDES`);
    for (const s of SDK_PROVIDES[inc]!) if (!SDK_MISSING[inc]?.[target]?.includes(s)) provided.add(s);
  }
  return provided;
}
