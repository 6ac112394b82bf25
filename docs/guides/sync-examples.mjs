// Copies each guide's example program into the guide, between its markers, so the code a guide shows is the code
// the test suite runs (packages/cli/test/guides/). A guide marks the place of an example with
//   <!-- example: <path of the file, relative to the guide> -->
//   <!-- /example -->
// `node docs/guides/sync-examples.mjs` rewrites the guides; with `--check` it changes nothing and exits 1 when a
// guide's copy differs from its file (or a marked file is missing), naming the guide.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const MARKED = /(<!-- example: (\S+) -->\n)[\s\S]*?(<!-- \/example -->)/g;

/** The guide's text with every marked example replaced by its file's current content. */
export function withExamples(guidePath, text) {
  return text.replace(MARKED, (_, open, file, close) => {
    const source = readFileSync(resolve(dirname(guidePath), file), 'utf8');
    return `${open}\`\`\`ts\n${source.endsWith('\n') ? source : `${source}\n`}\`\`\`\n${close}`;
  });
}

const check = process.argv.includes('--check');
const stale = [];
for (const name of readdirSync(here).filter((f) => f.endsWith('.md')).sort()) {
  const path = join(here, name);
  const text = readFileSync(path, 'utf8');
  let synced;
  try {
    synced = withExamples(path, text);
  } catch (error) {
    console.error(`${name}: ${error.message}`);
    process.exit(1);
  }
  if (synced === text) continue;
  stale.push(name);
  if (!check) writeFileSync(path, synced);
}
if (check && stale.length > 0) {
  console.error(`Out of date with their examples: ${stale.join(', ')}. Run: node docs/guides/sync-examples.mjs`);
  process.exit(1);
}
console.log(check ? 'Every guide quotes its example as it is.' : stale.length ? `Updated ${stale.join(', ')}.` : 'Every guide was up to date.');
