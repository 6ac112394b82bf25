/**
 * The seed's message codec: JSON, with registered objects as `{".class", ".version", ".state"}`.
 */
import { ErrorCodes, InvalidArgumentError, quote } from '@tributary/core';
import { StreamCodecError } from '../errors.js';
import type { StreamCodec } from '../stream-service.js';
import { ClassRegistry } from './class-registry.js';
import { toJsonLine } from './json-line.js';
import { TreeDecoder, TreeEncoder, type UnknownClasses } from './json-tree.js';

/**
 * A message as a JSON value and back, with no text in between: what the gateway needs to put a message inside
 * a line of its own protocol. {@link JsonStreamCodec} is one; give the gateway another to change how messages
 * look inside lines.
 */
export interface JsonValueCodec {
  /** The message as a JSON-ready value. @throws StreamCodecError ENCODE_FAILED when it has no JSON form. */
  toJson(message: unknown): unknown;
  /** The message a parsed JSON value stands for. @throws StreamCodecError DECODE_FAILED when it stands for none. */
  fromJson(json: unknown): unknown;
}

/** Options of {@link JsonStreamCodec}. */
export interface JsonStreamCodecOptions {
  /** The message classes objects are encoded and revived with. Default: a new, empty registry. */
  registry?: ClassRegistry;
  /**
   * A `.class` the registry does not know, when decoding: `error` (default) fails with DECODE_FAILED naming
   * it; `keep` gives an {@link UnknownClassObject}, which encodes back unchanged (for relays).
   */
  unknownClasses?: UnknownClasses;
}

/** Strict: bytes that are not UTF-8 are not JSON (RFC 8259, section 8.1), rather than text with U+FFFD in it. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Seed 004's wire format for messages, as UTF-8 JSON on one line.
 *
 * **Values.** Strings, finite numbers (integers and floats), booleans and null are JSON's own; arrays are
 * lists; plain objects (prototype `Object.prototype` or null) are structs; an instance of a class registered
 * in {@link ClassRegistry} is `{".class": name, ".version": version, ".state": state}` with its state encoded
 * the same way, so lists of objects and objects in structs work at any depth. A struct property that is
 * `undefined` is left out, as JSON does.
 *
 * **Keys starting with `.`** Only the three markers have one dot on the wire. A struct key that starts with
 * `.` is written with a second `.` in front (`{".x": 1}` travels as `{"..x": 1}`) and comes back as it was;
 * a one-dot key that is not an object's marker is a decoding error. So any struct round-trips, and a reader
 * in another language tells objects from structs by the `.class` key alone.
 *
 * **Refused, with ENCODE_FAILED naming the path** (`context.path`, such as `$.items[2]`): an instance of an
 * unregistered class, naming its constructor and the registered names (a Date, a Map, a Buffer too: register
 * them, or send their text); a bigint (no JSON number keeps it exactly: send it as a string); NaN and
 * ±Infinity; `undefined`, a function or a symbol as the message or in a list; a cycle; a `toState` that throws
 * (its error is the `cause`).
 *
 * **Decoding fails with DECODE_FAILED** when the bytes are not UTF-8 or not JSON; for an unknown `.class`
 * (naming it and the registered names, `context.className`, `context.known`) unless `unknownClasses` is `keep`;
 * for a `.version` other than the registered one (`context.expected` is the registered version,
 * `context.actual` the one received); for a marker object with other keys than the three, or a one-dot
 * struct key; and when `fromState` throws (its error is the `cause`).
 *
 * The encoded bytes never hold a newline (checked on every message; see `toJsonLine`).
 */
export class JsonStreamCodec implements StreamCodec, JsonValueCodec {
  readonly name = 'json';
  /** The registry objects are encoded and revived with. Register classes on it at any time. */
  readonly registry: ClassRegistry;
  readonly #unknownClasses: UnknownClasses;

  /** @throws InvalidArgumentError naming the option (`registry`, `unknownClasses`) that is wrong. */
  constructor(options: JsonStreamCodecOptions = {}) {
    const { registry = new ClassRegistry(), unknownClasses = 'error' } = options;
    if (!(registry instanceof ClassRegistry)) {
      throw new InvalidArgumentError(`Invalid option "registry" ${quote(registry)}: expected a ClassRegistry`, { option: 'registry', value: registry, expected: 'ClassRegistry' });
    }
    if (unknownClasses !== 'error' && unknownClasses !== 'keep') {
      throw new InvalidArgumentError(`Invalid option "unknownClasses" ${quote(unknownClasses)}: expected "error" or "keep"`, { option: 'unknownClasses', value: unknownClasses, expected: '"error" | "keep"' });
    }
    this.registry = registry;
    this.#unknownClasses = unknownClasses;
  }

  /** @throws StreamCodecError ENCODE_FAILED as the class describes. */
  toJson(message: unknown): unknown {
    return guardDepth(ErrorCodes.ENCODE_FAILED, () => new TreeEncoder(this.registry).value(message));
  }

  /** @throws StreamCodecError DECODE_FAILED as the class describes. */
  fromJson(json: unknown): unknown {
    return guardDepth(ErrorCodes.DECODE_FAILED, () => new TreeDecoder(this.registry, this.#unknownClasses).value(json));
  }

  /** The message as one line of UTF-8 JSON (no newline). @throws StreamCodecError ENCODE_FAILED. */
  encode(message: unknown): Buffer {
    return Buffer.from(toJsonLine(this.toJson(message)), 'utf8');
  }

  /** @throws StreamCodecError DECODE_FAILED. */
  decode(bytes: Buffer): unknown {
    let json: unknown;
    try {
      json = JSON.parse(utf8.decode(bytes));
    } catch (cause) {
      throw new StreamCodecError(ErrorCodes.DECODE_FAILED, `Cannot decode the message: its ${bytes.length} bytes are not UTF-8 JSON: ${(cause as Error).message}`, { codec: this.name, length: bytes.length }, cause);
    }
    return this.fromJson(json);
  }
}

/** A message nested deeper than the stack allows fails as the codec's error, not as a RangeError. */
function guardDepth<T>(code: typeof ErrorCodes.ENCODE_FAILED | typeof ErrorCodes.DECODE_FAILED, walk: () => T): T {
  try {
    return walk();
  } catch (cause) {
    if (!(cause instanceof RangeError)) throw cause;
    throw new StreamCodecError(code, `Cannot ${code === ErrorCodes.ENCODE_FAILED ? 'encode' : 'decode'} the message as JSON: it is nested too deeply (${cause.message})`, { codec: 'json' }, cause);
  }
}
