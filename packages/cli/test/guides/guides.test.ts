import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..', '..');
const guidesDir = join(root, 'docs', 'guides');
const guides = readdirSync(guidesDir).filter((f) => f.endsWith('.md') && f !== 'README.md');
const examples = readdirSync(join(here, 'examples')).filter((f) => f.endsWith('.ts'));

/** The example files a guide quotes, resolved to absolute paths. */
function quoted(guide: string): string[] {
  const text = readFileSync(join(guidesDir, guide), 'utf8');
  return [...text.matchAll(/<!-- example: (\S+) -->/g)].map((m) => resolve(guidesDir, m[1]!));
}

describe('the guides', () => {
  it('quote their examples exactly as the files are', () => {
    const check = spawnSync(process.execPath, [join(guidesDir, 'sync-examples.mjs'), '--check'], { encoding: 'utf8', timeout: 30_000 });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('each quote one example, and every example is quoted by one guide', () => {
    const byGuide = guides.map((g) => [g, quoted(g)] as const);
    for (const [guide, files] of byGuide) expect(files, guide).toHaveLength(1);
    expect(byGuide.map(([, [file]]) => file).sort()).toEqual(examples.map((e) => join(here, 'examples', e)).sort());
  });

  it('are all listed in the index, and their links to other files resolve', () => {
    const index = readFileSync(join(guidesDir, 'README.md'), 'utf8');
    for (const guide of guides) expect(index, guide).toContain(`](${guide})`);
    for (const page of ['README.md', ...guides]) {
      const text = readFileSync(join(guidesDir, page), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        expect(existsSync(resolve(guidesDir, target!)), `${page} links to ${target}`).toBe(true);
      }
    }
  });
});
