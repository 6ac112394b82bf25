import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, PluginConfigError, PluginLoadError } from '../../src/errors.js';
import { Event } from '../../src/event/event.js';
import { builtinProducerPluginNames, loadProducerPlugin, registerBuiltinProducerPlugin } from '../../src/plugin/loader.js';
import { RecordingPlugin } from './recording-plugin.js';

const coreUrl = pathToFileURL(fileURLToPath(new URL('../../src/index.ts', import.meta.url))).href;

const pluginSource = (exportLine: string, extra = ''): string => `
import { ProducerPlugin, EventOffset, setting } from ${JSON.stringify(coreUrl)};
const schema = setting.object({ greeting: setting.string().min(1).default('hello'), explode: setting.boolean().default(false) });
class TmpBusPlugin extends ProducerPlugin {
  constructor(settings, options) {
    super({ name: 'tmp-bus', settings: schema }, settings, options);
    if (this.settings.explode) throw new Error('constructor exploded');
    this.written = [];
  }
  async _open() {}
  async _close() {}
  async _send(batch) {
    return batch.map((r) => EventOffset.of(r.topic, 0, this.written.push(r) - 1));
  }
}
${exportLine}
${extra}
`;

let dir: string;

async function writeModule(name: string, source: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, source);
  return path;
}

async function loadError(options: Parameters<typeof loadProducerPlugin>[0]): Promise<PluginLoadError> {
  const error = await loadProducerPlugin(options).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(PluginLoadError);
  expect((error as PluginLoadError).code).toBe(ErrorCodes.PLUGIN_LOAD);
  return error as PluginLoadError;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tributary-loader-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadProducerPlugin from a file', () => {
  it('loads the class named by TRIBUTARY_PLUGIN_CLASSNAME from an absolute path, validates settings, and works', async () => {
    const path = await writeModule('named.mjs', pluginSource("export const TRIBUTARY_PLUGIN_CLASSNAME = 'TmpBusPlugin';\nexport { TmpBusPlugin };"));
    const plugin = await loadProducerPlugin({ plugin: path, settings: { topic: 'orders' } });
    expect(plugin.name).toBe('tmp-bus');
    expect(plugin.settings).toMatchObject({ topic: 'orders', greeting: 'hello' });
    expect(plugin.state).toBe('new');
    await plugin.open();
    const sent = await plugin.send(Event.create({ category: 'a.b', payload: 1 }));
    expect(sent.offset?.toString()).toBe('orders:0@0');
    await plugin.close();
  });

  it('loads a default export by a path relative to cwd, and by file: URL', async () => {
    const path = await writeModule('default.mjs', pluginSource('export default TmpBusPlugin;'));
    expect((await loadProducerPlugin({ plugin: './default.mjs', cwd: dir, settings: { topic: 't', greeting: 'hi' } })).settings).toMatchObject({ greeting: 'hi' });
    expect((await loadProducerPlugin({ plugin: pathToFileURL(path).href, settings: { topic: 't' } })).name).toBe('tmp-bus');
  });

  it('surfaces bad settings as PluginConfigError naming the plugin and the setting', async () => {
    const path = await writeModule('config.mjs', pluginSource('export default TmpBusPlugin;'));
    const error = await loadProducerPlugin({ plugin: path, settings: { topic: 't', greeting: '' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PluginConfigError);
    expect((error as PluginConfigError).context).toMatchObject({ plugin: 'tmp-bus', path: 'greeting', value: '' });
  });

  it('fails with module-not-found for a missing file', async () => {
    const missing = join(dir, 'missing.mjs');
    const error = await loadError({ plugin: missing, settings: { topic: 't' } });
    expect(error.context).toMatchObject({ plugin: missing, reason: 'module-not-found' });
    expect(error.message).toContain(JSON.stringify(missing));
  });

  it('fails with module-not-found for a package that is not installed', async () => {
    const error = await loadError({ plugin: 'tributary-plugin-that-does-not-exist', cwd: dir });
    expect(error.context.reason).toBe('module-not-found');
  });

  it('fails with import-failed, keeping the cause, when the module throws while loading', async () => {
    const path = await writeModule('throws.mjs', "throw new Error('module side effect failed');");
    const error = await loadError({ plugin: path });
    expect(error.context.reason).toBe('import-failed');
    expect((error.cause as Error).message).toBe('module side effect failed');
  });

  it.each([
    ['no default export', 'export { TmpBusPlugin };', 'class-not-found'],
    ['a class name that is not exported', "export const TRIBUTARY_PLUGIN_CLASSNAME = 'Nope';", 'class-not-found'],
    ['an export that is not a plugin', 'export default class NotAPlugin {}', 'not-a-plugin'],
  ])('fails for a module with %s (%s)', async (_label, exportLine, reason) => {
    const path = await writeModule(`${reason}-${Math.random().toString(36).slice(2)}.mjs`, pluginSource(exportLine));
    const error = await loadError({ plugin: path });
    expect(error.context).toMatchObject({ plugin: path, reason });
  });

  it('wraps a constructor failure that is not a TributaryError', async () => {
    const path = await writeModule('explodes.mjs', pluginSource('export default TmpBusPlugin;'));
    const error = await loadError({ plugin: path, settings: { topic: 't', explode: true } });
    expect(error.context.reason).toBe('constructor-failed');
    expect((error.cause as Error).message).toBe('constructor exploded');
  });
});

describe('loadProducerPlugin by name or class', () => {
  it('loads a registered built-in lazily', async () => {
    let loads = 0;
    registerBuiltinProducerPlugin('test-builtin', async () => {
      loads++;
      return RecordingPlugin;
    });
    expect(builtinProducerPluginNames()).toContain('test-builtin');
    expect(loads).toBe(0);
    const plugin = await loadProducerPlugin({ plugin: 'test-builtin', settings: { topic: 't', partitions: 2 } });
    expect(plugin).toBeInstanceOf(RecordingPlugin);
    expect(plugin.settings).toMatchObject({ partitions: 2 });
    expect(loads).toBe(1);
  });

  it('tells to import @tributary/producer-plugins when a packaged built-in is not registered', async () => {
    const error = await loadError({ plugin: 'kafka' });
    expect(error.context).toMatchObject({ plugin: 'kafka', reason: 'not-registered' });
    expect(error.message).toContain('@tributary/producer-plugins');
  });

  it('accepts a plugin class and refuses another class', async () => {
    expect(await loadProducerPlugin({ plugin: RecordingPlugin, settings: { topic: 't' } })).toBeInstanceOf(RecordingPlugin);
    const error = await loadError({ plugin: class Other {} as never });
    expect(error.context.reason).toBe('not-a-plugin');
  });
});
