import { createRequire } from 'node:module';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PluginLoadError, isTributaryError, quote } from '../errors.js';
import type { ProducerPluginOptions } from './options.js';
import { PRODUCER_PLUGIN_BRAND, ProducerPlugin } from './producer-plugin.js';

/**
 * A producer plugin class, as the loader constructs it: `new Plugin(settings, options)`. The settings
 * parameter may have any type: the plugin's schema checks them at run time.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ProducerPluginClass = new (settings: any, options?: ProducerPluginOptions) => ProducerPlugin<object>;

/** The export a plugin module may set to name the export holding its class (as Hermes' HERMES_PLUGIN_CLASSNAME). */
export const PLUGIN_CLASSNAME_EXPORT = 'TRIBUTARY_PLUGIN_CLASSNAME';

/** What {@link loadProducerPlugin} takes. */
export interface LoadProducerPluginOptions extends ProducerPluginOptions {
  /**
   * A built-in name (`memory`, `file`, `kafka`: registered by `@tributary/producer-plugins` when imported),
   * a module specifier (`my-company-bus`), a file path (`./plugins/bus.js`, absolute, or a `file:` URL), or a
   * plugin class.
   */
  plugin: string | ProducerPluginClass;
  /** The plugin's settings, validated by its schema. */
  settings?: unknown;
  /** Where relative paths and package names are resolved from. Defaults to `process.cwd()`. */
  cwd?: string;
}

const builtins = new Map<string, () => Promise<ProducerPluginClass>>();
/** The built-ins `@tributary/producer-plugins` registers; asking for one before it was imported gets a hint. */
const PACKAGED_BUILTINS = new Set(['memory', 'file', 'kafka']);

/**
 * Register a built-in plugin under `name`: `load` imports and returns its class, only when first asked for.
 * `@tributary/producer-plugins` registers `memory`, `file` and `kafka` when imported. Registering a name again
 * replaces the earlier registration.
 */
export function registerBuiltinProducerPlugin(name: string, load: () => Promise<ProducerPluginClass>): void {
  builtins.set(name, load);
}

/** The names of the registered built-in plugins. */
export function builtinProducerPluginNames(): string[] {
  return [...builtins.keys()].sort();
}

function isPluginClass(value: unknown): value is ProducerPluginClass {
  if (typeof value !== 'function') return false;
  return value.prototype instanceof ProducerPlugin || (value as unknown as Record<symbol, unknown>)[PRODUCER_PLUGIN_BRAND] === true;
}

function looksLikePath(spec: string): boolean {
  return spec.startsWith('.') || spec.startsWith('file:') || isAbsolute(spec);
}

function resolveSpecifier(spec: string, cwd: string): string {
  if (spec.startsWith('file:')) return spec;
  if (looksLikePath(spec)) return pathToFileURL(resolvePath(cwd, spec)).href;
  try {
    // Resolve a package name from the user's folder, not from this package's.
    return pathToFileURL(createRequire(resolvePath(cwd, 'noop.js')).resolve(spec)).href;
  } catch {
    return spec; // ESM-only packages (no "require" condition): let import() resolve it.
  }
}

function isNotFound(error: unknown, url: string, spec: string): boolean {
  const e = error as { code?: string; message?: string; url?: string };
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' && e?.code !== 'MODULE_NOT_FOUND' && e?.code !== 'ERR_LOAD_URL') return false;
  // Only when the plugin module itself is missing, not a module it imports.
  return e.url === url || (e.message ?? '').includes(looksLikePath(spec) ? decodeURI(url.replace(/^file:\/\//, '')) : `'${spec}'`);
}

async function importModule(spec: string, cwd: string): Promise<Record<string, unknown>> {
  const url = resolveSpecifier(spec, cwd);
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    const missing = isNotFound(error, url, spec);
    throw new PluginLoadError(
      missing
        ? `Producer plugin ${quote(spec)} not found: expected a built-in (${builtinProducerPluginNames().join(', ') || 'none registered'}), an installed package or a file`
        : `Producer plugin module ${quote(spec)} failed to load: ${(error as Error)?.message ?? String(error)}`,
      { plugin: spec, reason: missing ? 'module-not-found' : 'import-failed', url },
      error,
    );
  }
}

function classFromModule(module: Record<string, unknown>, spec: string): ProducerPluginClass {
  const named = module[PLUGIN_CLASSNAME_EXPORT];
  const exportName = typeof named === 'string' ? named : 'default';
  const candidate = module[exportName];
  if (candidate === undefined) {
    throw new PluginLoadError(
      `Producer plugin module ${quote(spec)} has no export ${quote(exportName)}: expected a default export that is a ProducerPlugin subclass, ` +
        `or an export ${PLUGIN_CLASSNAME_EXPORT} naming the export that is`,
      { plugin: spec, reason: 'class-not-found', exportName, exports: Object.keys(module) },
    );
  }
  if (!isPluginClass(candidate)) {
    throw new PluginLoadError(`Export ${quote(exportName)} of producer plugin module ${quote(spec)} is not a ProducerPlugin subclass`, {
      plugin: spec,
      reason: 'not-a-plugin',
      exportName,
    });
  }
  return candidate;
}

async function resolveClass(plugin: string | ProducerPluginClass, cwd: string): Promise<ProducerPluginClass> {
  if (typeof plugin === 'function') {
    if (isPluginClass(plugin)) return plugin;
    const { name } = plugin as { name: string };
    throw new PluginLoadError(`${quote(name)} is not a ProducerPlugin subclass`, { plugin: name, reason: 'not-a-plugin' });
  }
  if (typeof plugin !== 'string' || plugin === '') {
    throw new PluginLoadError(`Invalid producer plugin ${quote(plugin)}: expected a built-in name, a module specifier, a file path or a class`, {
      plugin: String(plugin),
      reason: 'module-not-found',
    });
  }
  const builtin = builtins.get(plugin);
  if (builtin) {
    const loaded = await builtin();
    if (!isPluginClass(loaded)) throw new PluginLoadError(`Built-in producer plugin ${quote(plugin)} is not a ProducerPlugin subclass`, { plugin, reason: 'not-a-plugin' });
    return loaded;
  }
  if (PACKAGED_BUILTINS.has(plugin)) {
    throw new PluginLoadError(`Built-in producer plugin ${quote(plugin)} is not registered: import "@tributary/producer-plugins" first, which registers it`, {
      plugin,
      reason: 'not-registered',
    });
  }
  return classFromModule(await importModule(plugin, cwd), plugin);
}

/**
 * Load a producer plugin by name, module or path, and construct it with its settings. The plugin is
 * returned unopened: call `open()` (and `close()`, or use `await using`).
 *
 * A plugin module names its class with a default export, or with an export `TRIBUTARY_PLUGIN_CLASSNAME`
 * holding the name of the export that is the class.
 *
 * @throws PluginLoadError (PLUGIN_LOAD, `context.plugin` and `context.reason`): the module is not found or
 *   fails to import, the class is not found, it is not a ProducerPlugin subclass, or its constructor fails
 *   with an error that is not a TributaryError (kept as `cause`).
 * @throws PluginConfigError (PLUGIN_CONFIG) naming the plugin and the setting when the settings are invalid.
 */
export async function loadProducerPlugin(options: LoadProducerPluginOptions): Promise<ProducerPlugin<object>> {
  const { plugin, settings, cwd = process.cwd(), ...pluginOptions } = options;
  const Plugin = await resolveClass(plugin, cwd);
  const name = typeof plugin === 'string' ? plugin : plugin.name;
  try {
    return new Plugin(settings ?? {}, pluginOptions);
  } catch (error) {
    if (isTributaryError(error)) throw error;
    throw new PluginLoadError(`Producer plugin ${quote(name)} failed to construct: ${(error as Error)?.message ?? String(error)}`, { plugin: name, reason: 'constructor-failed' }, error);
  }
}
