/**
 * The registry of message classes (seed 004: "Objects will be encoded as dictionaries" with `.class`,
 * `.version` and `.state`). It maps a class to the name and version it travels under, and says how to take an
 * instance's state and rebuild an instance from it. Pure: no IO, no codec of its own.
 */
import { InvalidArgumentError, quote } from '@tributary/core';

/**
 * How a class travels. `name` and `version` are always given here, so the registry is the one place that says
 * what is on the wire. `toState` and `fromState` may be left out when the class follows the convention:
 *
 * ```ts
 * class Point {
 *   constructor(readonly x: number, readonly y: number) {}
 *   toState() { return { x: this.x, y: this.y }; }
 *   static fromState(state: { x: number; y: number }) { return new Point(state.x, state.y); }
 * }
 * registry.register(Point, { name: 'geo.point', version: '1.0' });
 * ```
 */
export interface ClassRegistration<T extends object> {
  /** The `.class` written on the wire, such as `geo.point`. */
  readonly name: string;
  /** The `.version` written on the wire, such as `1.0`; decoding any other version is an error. */
  readonly version: string;
  /**
   * The instance's state: usually a struct of base values and registered objects (the seed shows a
   * dictionary), encoded recursively. Default: the instance's own `toState()`.
   */
  readonly toState?: (value: T) => unknown;
  /** Rebuild an instance from its decoded state (registered objects in it already revived). Default: the class's static `fromState(state)`. */
  // The state comes off the wire: its shape is the class's business, so `any` lets a typed `fromState` fit.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly fromState?: (state: any) => T;
}

/** A class as the registry holds it, with both directions resolved. */
export interface RegisteredClass {
  readonly name: string;
  readonly version: string;
  /** The registered constructor. */
  readonly type: abstract new (...args: never[]) => object;
  toState(value: object): unknown;
  fromState(state: unknown): object;
}

/** Any class: the registry never calls its constructor, only `toState` and `fromState`. */
export type MessageClass<T extends object> = abstract new (...args: never[]) => T;

/**
 * Message classes by name, and by prototype for encoding. The registry is a one-to-one map: a name belongs to
 * one class, a class has one name.
 *
 * - Registering a name that is already registered **replaces** the earlier class (its instances can no longer
 *   be encoded until registered again); registering a class again under a new name drops its old name.
 * - Instances are matched by their exact prototype: a subclass of a registered class is not registered (its
 *   state may differ) until it is registered itself.
 * - Lookups are live: a codec holding this registry sees classes registered after the codec was made.
 */
export class ClassRegistry {
  readonly #byName = new Map<string, RegisteredClass>();
  readonly #byPrototype = new Map<object, RegisteredClass>();

  /**
   * Register `type` under `registration.name` and `registration.version`, replacing any class registered
   * under that name. Returns the registry, so registrations chain.
   * @throws InvalidArgumentError naming the argument: `type` not a class, `name` or `version` not a non-empty
   *   string, or `toState` / `fromState` neither given nor defined by the class (`toState()` on its
   *   prototype, static `fromState()`).
   */
  register<T extends object>(type: MessageClass<T>, registration: ClassRegistration<T>): this {
    if (typeof type !== 'function' || type.prototype === null || typeof type.prototype !== 'object') {
      throw new InvalidArgumentError(`Cannot register ${quote(type)}: expected a class`, { option: 'type', value: type, expected: 'a class' });
    }
    if (registration === null || typeof registration !== 'object') {
      throw new InvalidArgumentError(`Cannot register class ${type.name}: expected a registration { name, version }, got ${quote(registration)}`, { option: 'registration', value: registration, expected: 'ClassRegistration' });
    }
    const { name, version } = registration;
    for (const [option, value] of [['name', name], ['version', version]] as const) {
      if (typeof value !== 'string' || value === '') {
        throw new InvalidArgumentError(`Cannot register class ${type.name}: option "${option}" ${quote(value)} is not a non-empty string`, { option, value, expected: 'a non-empty string' });
      }
    }
    const entry: RegisteredClass = { name, version, type, toState: stateTaker(type, registration), fromState: rebuilder(type, registration) };
    this.#forget(this.#byName.get(name));
    this.#forget(this.#byPrototype.get(type.prototype as object));
    this.#byName.set(name, entry);
    this.#byPrototype.set(type.prototype as object, entry);
    return this;
  }

  /** The class registered under `name`, if any. */
  byName(name: string): RegisteredClass | undefined {
    return this.#byName.get(name);
  }

  /** The class `value` is an instance of, matched by its exact prototype; undefined when it is not registered. */
  forInstance(value: object): RegisteredClass | undefined {
    return this.#byPrototype.get(Object.getPrototypeOf(value) as object);
  }

  /** The registered names, in registration order (for error messages). */
  names(): string[] {
    return [...this.#byName.keys()];
  }

  #forget(entry: RegisteredClass | undefined): void {
    if (entry === undefined) return;
    this.#byName.delete(entry.name);
    this.#byPrototype.delete(entry.type.prototype as object);
  }
}

function stateTaker<T extends object>(type: MessageClass<T>, registration: ClassRegistration<T>): (value: object) => unknown {
  if (registration.toState !== undefined) {
    if (typeof registration.toState !== 'function') throw missing(type, 'toState', registration.toState);
    const toState = registration.toState;
    return (value) => toState(value as T);
  }
  if (typeof (type.prototype as { toState?: unknown }).toState !== 'function') throw missing(type, 'toState', undefined);
  return (value) => (value as { toState(): unknown }).toState();
}

function rebuilder<T extends object>(type: MessageClass<T>, registration: ClassRegistration<T>): (state: unknown) => object {
  const fromState = registration.fromState ?? (type as unknown as { fromState?: (state: unknown) => T }).fromState;
  if (typeof fromState !== 'function') throw missing(type, 'fromState', registration.fromState);
  // A static `fromState` may use `this` (a factory written as `return new this(...)`).
  return registration.fromState === undefined ? (state) => fromState.call(type, state) : (state) => fromState(state);
}

function missing(type: MessageClass<object>, option: 'toState' | 'fromState', value: unknown): InvalidArgumentError {
  const convention = option === 'toState' ? 'a toState() method' : 'a static fromState(state) method';
  return new InvalidArgumentError(
    value === undefined
      ? `Cannot register class ${type.name}: give registration.${option}, or define ${convention} on the class`
      : `Cannot register class ${type.name}: option "${option}" ${quote(value)} is not a function`,
    { option, value, expected: 'a function' },
  );
}
