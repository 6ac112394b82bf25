/**
 * The seed's JSON form of a message, as a JSON-ready tree and back (pure). Base values stay as they are;
 * registered objects become `{".class", ".version", ".state"}` with their state encoded the same way, at any
 * depth. Errors name the path in the value (`$.items[2].at`) where the problem is.
 *
 * Keys starting with `.` are the seed's markers, so a struct key starting with `.` is written with one more
 * `.` in front (`.x` -> `..x`) and read back without it: a one-dot key on the wire is always a marker.
 */
import { ErrorCodes } from '@tributary/core';
import { StreamCodecError } from '../errors.js';
import type { ClassRegistry } from './class-registry.js';
import { UnknownClassObject } from './unknown-class-object.js';

/** What the decoder does with a `.class` the registry does not know. */
export type UnknownClasses = 'error' | 'keep';

const CLASS = '.class';
const VERSION = '.version';
const STATE = '.state';
const MARKERS: readonly string[] = [CLASS, VERSION, STATE];

type PathKey = string | number;
type ErrorCode = typeof ErrorCodes.ENCODE_FAILED | typeof ErrorCodes.DECODE_FAILED;

/** `$`, `$.a`, `$.list[2]`, `$["odd key"]`. */
export function renderPath(path: readonly PathKey[]): string {
  let text = '$';
  for (const key of path) text += typeof key === 'number' ? `[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  return text;
}

/** Assignment would set the prototype for this one key; JSON.parse makes it an own property, and so do we. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Keeps the path to the value being walked, rendered only when an error needs it. */
abstract class Walk {
  protected readonly path: PathKey[] = [];

  protected abstract readonly code: ErrorCode;

  abstract value(value: unknown): unknown;

  protected list(list: readonly unknown[]): unknown[] {
    const out = new Array<unknown>(list.length);
    for (let i = 0; i < list.length; i++) {
      this.path.push(i);
      out[i] = this.value(list[i]);
      this.path.pop();
    }
    return out;
  }

  protected fail(problem: string, context: Record<string, unknown> = {}, cause?: unknown): StreamCodecError {
    const path = renderPath(this.path);
    const verb = this.code === ErrorCodes.ENCODE_FAILED ? 'encode' : 'decode';
    return new StreamCodecError(this.code, `Cannot ${verb} the message as JSON at ${path}: ${problem}`, { codec: 'json', path, ...context }, cause);
  }
}

/** Turns a message into its JSON tree. One instance per message. */
export class TreeEncoder extends Walk {
  protected readonly code = ErrorCodes.ENCODE_FAILED;
  /** The objects on the current path: meeting one again is a cycle (a shared, acyclic object is fine). */
  readonly #open = new Set<object>();
  readonly #registry: ClassRegistry;

  constructor(registry: ClassRegistry) {
    super();
    this.#registry = registry;
  }

  value(value: unknown): unknown {
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return value;
      case 'number':
        if (Number.isFinite(value)) return value;
        throw this.fail(`${value} is not a finite number, and JSON has no form for it`, { actual: String(value) });
      case 'bigint':
        throw this.fail(`the bigint ${value}n has no JSON number that keeps it exactly; send it as a string`, { actual: 'bigint' });
      case 'object':
        return value === null ? null : this.#object(value);
      default:
        throw this.fail(`JSON has no form for a value that is ${value === undefined ? 'undefined' : `a ${typeof value}`}`, { actual: typeof value });
    }
  }

  #object(object: object): unknown {
    if (this.#open.has(object)) throw this.fail('the value contains itself (a cycle)', { actual: 'cycle' });
    this.#open.add(object);
    const tree = this.#objectOnce(object);
    this.#open.delete(object);
    return tree;
  }

  #objectOnce(object: object): unknown {
    // Every element must have a JSON form: `undefined` or a hole would come back as null.
    if (Array.isArray(object)) return this.list(object);
    const prototype = Object.getPrototypeOf(object) as object | null;
    if (prototype === Object.prototype || prototype === null) return this.#struct(object as Record<string, unknown>);
    if (object instanceof UnknownClassObject) return this.#classed(object['.class'], object['.version'], object['.state']);
    const registered = this.#registry.forInstance(object);
    const className = (object.constructor as { name?: string } | undefined)?.name || 'anonymous';
    if (registered === undefined) {
      const known = this.#registry.names();
      throw this.fail(`an instance of class ${className} is not a registered message class (registered: ${known.length === 0 ? 'none' : known.join(', ')}); register it with ClassRegistry.register(${className}, { name, version })`, {
        className,
        known,
      });
    }
    let state: unknown;
    try {
      state = registered.toState(object);
    } catch (cause) {
      throw this.fail(`toState of class ${className} (registered as "${registered.name}") threw: ${(cause as Error)?.message ?? String(cause)}`, { className: registered.name }, cause);
    }
    return this.#classed(registered.name, registered.version, state);
  }

  /** JSON's own rule: a property that is `undefined` is left out (an optional field not set). */
  #struct(struct: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(struct)) {
      const value = struct[key];
      if (value === undefined) continue;
      this.path.push(key);
      setOwn(out, key.startsWith('.') ? `.${key}` : key, this.value(value));
      this.path.pop();
    }
    return out;
  }

  #classed(className: string, version: string, state: unknown): Record<string, unknown> {
    this.path.push(STATE);
    const encoded = this.value(state);
    this.path.pop();
    return { [CLASS]: className, [VERSION]: version, [STATE]: encoded };
  }
}

/** Turns a parsed JSON tree back into a message, reviving registered objects. One instance per message. */
export class TreeDecoder extends Walk {
  protected readonly code = ErrorCodes.DECODE_FAILED;

  readonly #registry: ClassRegistry;
  readonly #unknownClasses: UnknownClasses;

  constructor(registry: ClassRegistry, unknownClasses: UnknownClasses) {
    super();
    this.#registry = registry;
    this.#unknownClasses = unknownClasses;
  }

  value(json: unknown): unknown {
    if (json === null || typeof json !== 'object') return json;
    if (Array.isArray(json)) return this.list(json);
    const struct = json as Record<string, unknown>;
    if (Object.hasOwn(struct, CLASS)) return this.#classed(struct);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(struct)) {
      this.path.push(key);
      setOwn(out, this.#unescape(key), this.value(struct[key]));
      this.path.pop();
    }
    return out;
  }

  #unescape(key: string): string {
    if (!key.startsWith('.')) return key;
    if (key.startsWith('..')) return key.slice(1);
    throw this.fail(`the key ${JSON.stringify(key)} is reserved: one-dot keys mark an object (.class, .version, .state), and a struct key starting with "." is written with a second "." in front`, {
      actual: key,
      expected: `${JSON.stringify(`.${key}`)} for a struct key, or an object with .class`,
    });
  }

  #classed(object: Record<string, unknown>): unknown {
    const className = object[CLASS];
    const version = object[VERSION];
    if (typeof className !== 'string' || className === '') throw this.fail(`.class must be a non-empty string, got ${JSON.stringify(className)}`, { expected: 'a class name', actual: className });
    if (typeof version !== 'string') throw this.fail(`the .version of class "${className}" must be a string such as "1.0", got ${JSON.stringify(version)}`, { className, expected: 'a version', actual: version });
    const extra = Object.keys(object).filter((key) => !MARKERS.includes(key));
    if (!Object.hasOwn(object, STATE) || extra.length > 0) {
      throw this.fail(`an object of class "${className}" has exactly the keys .class, .version and .state${extra.length > 0 ? `, but also ${extra.map((k) => JSON.stringify(k)).join(', ')}` : ', but no .state'}`, {
        className,
        expected: '.class, .version, .state',
        actual: Object.keys(object),
      });
    }
    this.path.push(STATE);
    const state = this.value(object[STATE]);
    this.path.pop();
    const registered = this.#registry.byName(className);
    if (registered === undefined) {
      if (this.#unknownClasses === 'keep') return new UnknownClassObject(className, version, state);
      const known = this.#registry.names();
      throw this.fail(`class "${className}" is not registered (registered: ${known.length === 0 ? 'none' : known.map((k) => `"${k}"`).join(', ')})`, { className, known });
    }
    if (registered.version !== version) {
      throw this.fail(`class "${className}" arrived in version ${JSON.stringify(version)}, but version ${JSON.stringify(registered.version)} is registered`, {
        className,
        expected: registered.version,
        actual: version,
      });
    }
    try {
      return registered.fromState(state);
    } catch (cause) {
      throw this.fail(`fromState of class "${className}" threw: ${(cause as Error)?.message ?? String(cause)}`, { className }, cause);
    }
  }
}
