/**
 * Views into a fetched buffer, made cheaply. A record's key, value and header values are views into the fetch
 * response, not copies: eight or more per record. `buf.subarray()` finds the class to make each with through the
 * typed array's species lookup, which is most of its cost; here that class is looked up once.
 *
 * Node's `Buffer[Symbol.species]` is the class every Buffer is an instance of (what `subarray` and `slice` make),
 * so the views are ordinary Buffers, equal to any other by every test (same prototype, same constructor). Where
 * it is not a class of Buffers, or is `Buffer` itself (whose constructor is deprecated), `subarray` is used.
 */
const Species = (Buffer as unknown as { [Symbol.species]?: unknown })[Symbol.species];
type ViewClass = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => Buffer;
const View: ViewClass | undefined = typeof Species === 'function' && Species !== Buffer && Buffer.isBuffer(new (Species as ViewClass)(new ArrayBuffer(1), 0, 1)) ? (Species as ViewClass) : undefined;

/** `length` bytes of `buf` from `start`, sharing its memory: what `buf.subarray(start, start + length)` gives. */
export function viewOf(buf: Buffer, start: number, length: number): Buffer {
  return View ? new View(buf.buffer, buf.byteOffset + start, length) : buf.subarray(start, start + length);
}
