import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../run-cli.js';

interface PackageJson {
  name: string;
  private?: boolean;
  exports?: Record<string, { 'tributary-source'?: string }>;
}

interface EntryPoint {
  /** The source file TypeDoc reads, from the repository root. */
  file: string;
  /** What users import: `@tributary/core`, `@tributary/core/testing`. */
  specifier: string;
}

/** Every entry point a published package exports. */
function publishedEntryPoints(): EntryPoint[] {
  const entries: EntryPoint[] = [];
  for (const dir of readdirSync(join(root, 'packages'))) {
    const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as PackageJson;
    if (pkg.private) continue;
    for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
      const source = target['tributary-source'];
      expect(source, `${pkg.name} export ${subpath}`).toBeDefined();
      entries.push({ file: `packages/${dir}/${source!.replace(/^\.\//, '')}`, specifier: subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}` });
    }
  }
  return entries;
}

/** A JSON file that may hold line comments, parsed. */
function readJsonc(file: string): unknown {
  return JSON.parse(readFileSync(join(root, file), 'utf8').replace(/^\s*\/\/.*$/gm, ''));
}

describe('the API reference (pnpm docs)', () => {
  const entries = publishedEntryPoints();

  it('documents every entry point of every published package, and reads no test', () => {
    const config = readJsonc('typedoc.json') as { entryPoints: string[]; tsconfig: string };
    expect([...config.entryPoints].sort()).toEqual(entries.map((e) => e.file).sort());
    const program = readJsonc(config.tsconfig) as { include: string[] };
    const sources = new Set(entries.map((e) => e.file.split('/').slice(0, 2).join('/') + '/src'));
    expect([...program.include].sort()).toEqual([...sources].sort());
  });

  it('names each module after its import specifier (a @module tag in the file comment)', () => {
    for (const { file, specifier } of entries) {
      const comment = /^\/\*\*[\s\S]*?\*\//.exec(readFileSync(join(root, file), 'utf8'))?.[0] ?? '';
      expect(comment, file).toMatch(new RegExp(`@module ${specifier.replace(/[/.-]/g, '\\$&')}\\n`));
    }
  });
});
