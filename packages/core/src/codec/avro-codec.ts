import type avro from 'avsc';
import { ErrorCodes, InvalidArgumentError, TributaryError, quote } from '../errors.js';
import { canonicalSchemaText, explainInvalid, parseAvroSchema, parseAvroSchemaText, type AvroSchema } from './avro-schema.js';
import type { Codec, CodecContext } from './codec.js';
import { CONFLUENT_HEADER_BYTES, frameConfluent, readConfluentSchemaId, writeConfluentHeader } from './confluent-wire.js';
import type { SchemaRegistry } from './schema-registry.js';

export type { AvroSchema } from './avro-schema.js';

/**
 * How a record's subject (the name its schema is registered under) is found:
 * - `topic`: Confluent's TopicNameStrategy, `<topic>-value`; every category on a topic shares one schema.
 * - `category`: the event's category, such as `user.created`; each category has its own schema.
 */
export type SubjectStrategy = 'topic' | 'category';

export interface AvroCodecOptions {
  /** Where writer schemas are registered and found by id. */
  registry: SchemaRegistry;
  /**
   * The schema of each subject (see {@link SubjectStrategy}): the writer's schema when encoding, the reader's
   * when decoding. With the `topic` strategy every subject must end in `-value`.
   */
  schemas: Readonly<Record<string, AvroSchema>>;
  /** Default `topic`. */
  subjectStrategy?: SubjectStrategy;
}

/** How records written with one writer schema are read: with a reader type and maybe a resolver, or not at all. */
interface Reading {
  type: avro.Type | undefined;
  resolver: avro.Resolver | undefined;
  /** Set when the writer schema cannot be resolved to the reader's: why (avsc's words), and avsc's error. */
  incompatible: { why: string; cause: unknown } | undefined;
}

interface Subject {
  readonly name: string;
  readonly type: avro.Type;
  /** The canonical text that is registered. */
  readonly schema: string;
  /** Set once registered: from then on encoding is synchronous. */
  id: number | undefined;
  registering: Promise<number> | undefined;
  /** Resolution per writer schema id, with this subject's schema as the reader's. */
  readonly readings: Map<number, Reading>;
}

/** Records are encoded into slabs of this size (as Node's Buffer pool does, 8 KiB); larger ones get their own. */
const SLAB_BYTES = 8 * 1024;
const MAX_REMEMBERED_TOPICS = 10_000;
/**
 * The Avro specification matches named types by their unqualified names ("both schemas are records with the
 * same (unqualified) name"). A new object each time: avsc keeps the resolvers it made in the options, by type
 * names, and would hand one schema pair's resolver to another pair with the same names.
 */
function resolveOptions(): Partial<avro.CreateResolverOptions> {
  return { ignoreNamespaces: true };
}

function checkOptions(options: AvroCodecOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(`Invalid Avro codec options ${quote(options)}: expected an object with "registry" and "schemas"`, { value: options, expected: 'AvroCodecOptions' });
  }
  const { registry, schemas, subjectStrategy } = options;
  if (registry === null || typeof registry !== 'object' || typeof registry.register !== 'function' || typeof registry.getById !== 'function') {
    throw new InvalidArgumentError(`Invalid option "registry" ${quote(registry)}: expected a SchemaRegistry (register, getById, latest, versions)`, { path: 'registry', value: registry, expected: 'SchemaRegistry' });
  }
  if (schemas === null || typeof schemas !== 'object' || Object.keys(schemas).length === 0) {
    throw new InvalidArgumentError(`Invalid option "schemas" ${quote(schemas)}: expected an object of at least one subject and its Avro schema`, { path: 'schemas', value: schemas, expected: 'schemas' });
  }
  if (subjectStrategy !== undefined && subjectStrategy !== 'topic' && subjectStrategy !== 'category') {
    throw new InvalidArgumentError(`Invalid option "subjectStrategy" ${quote(subjectStrategy)}: expected "topic" or "category"`, { path: 'subjectStrategy', value: subjectStrategy, expected: 'SubjectStrategy' });
  }
}

function parseSubject(name: string, schema: AvroSchema, strategy: SubjectStrategy): Subject {
  const path = `schemas[${quote(name)}]`;
  if (strategy === 'topic' && !name.endsWith('-value')) {
    throw new InvalidArgumentError(`Invalid option ${path}: with the "topic" subject strategy a subject is "<topic>-value", such as ${quote(`${name}-value`)}`, { path, value: name, expected: '<topic>-value' });
  }
  let type: avro.Type;
  try {
    type = parseAvroSchema(schema);
  } catch (cause) {
    throw new InvalidArgumentError(`Invalid option ${path}: not a valid Avro schema: ${(cause as Error).message}`, { path, value: schema, expected: 'Avro schema' }, cause);
  }
  return { name, type, schema: canonicalSchemaText(schema), id: undefined, registering: undefined, readings: new Map() };
}

/**
 * Avro payloads in the Confluent wire format (see `confluent-wire.ts`), with writer schemas in a
 * {@link SchemaRegistry}.
 *
 * **Encoding** registers the subject's schema the first time (asynchronous: a Promise), then is synchronous
 * and copies nothing: records are views of shared 8 KiB slabs, as Node's pooled Buffers are. A payload that
 * does not fit the schema fails with ENCODE_FAILED naming each wrong field's path
 * (`address.city: expected string, got 5`; `context.fields` lists the paths); a registry failure rejects with
 * the registry's TributaryError, or ENCODE_FAILED (retriable) wrapping any other error.
 *
 * **Decoding** reads the writer schema's id from the frame, fetches that schema once (asynchronous the first
 * time, then cached) and resolves it to the subject's schema as the reader's, following the Avro
 * specification's "Schema Resolution": "if the writer's record contains a field with a name not present in the
 * reader's record, the writer's value for that field is ignored"; "if the reader's record schema has a field
 * that contains a default value, and writer's schema does not have a field with the same name, then the reader
 * should use the default value from its field"; "if the reader's record schema has a field with no default
 * value, and writer's schema does not have a field with the same name, an error is signalled". Records, enums
 * and fixed types match by their unqualified names, so a namespace may change. Numeric promotions (int to
 * long, float, double...), enum defaults and union branches follow the same section.
 * Resolvers are cached per (writer id, subject). A record whose subject has no schema here is read with its
 * writer's schema.
 *
 * Decoding errors: SCHEMA_INCOMPATIBLE when the writer schema cannot be resolved (never garbage);
 * SCHEMA_NOT_FOUND when no schema has the frame's id (the registry answered; the record points to a schema
 * that was never registered there, so retrying does not help); DECODE_FAILED for a bad frame (wrong magic
 * byte, too short), Avro data that is truncated or has trailing bytes, or a writer schema that is not Avro.
 *
 * Avro `long`s are JavaScript numbers: a value beyond 2^53 fails to encode. Logical types are read as their
 * underlying type (a `timestamp-millis` is a number).
 */
export class AvroCodec implements Codec {
  readonly name = 'avro';
  readonly #registry: SchemaRegistry;
  readonly #strategy: SubjectStrategy;
  readonly #subjects = new Map<string, Subject>();
  /** topic -> its subject (`<topic>-value`) or null, so encoding does not build the name each time. */
  readonly #byTopic = new Map<string, Subject | null>();
  readonly #writers = new Map<number, avro.Type>();
  readonly #fetching = new Map<number, Promise<avro.Type>>();
  /** Records whose subject has no schema here are read with their writer's schema. */
  readonly #generic = new Map<number, Reading>();
  #slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
  #used = 0;

  /**
   * @throws InvalidArgumentError naming the option (`registry`, `schemas["users-value"]`, `subjectStrategy`)
   *   that is missing or wrong, such as a schema avsc cannot parse.
   */
  constructor(options: AvroCodecOptions) {
    checkOptions(options);
    this.#registry = options.registry;
    this.#strategy = options.subjectStrategy ?? 'topic';
    for (const [name, schema] of Object.entries(options.schemas)) this.#subjects.set(name, parseSubject(name, schema, this.#strategy));
  }

  /** The subject a record of this topic and category is registered under. */
  subjectOf(context: CodecContext): string {
    return this.#strategy === 'topic' ? `${context.topic}-value` : context.category;
  }

  /**
   * Encode `payload` with the schema of its subject, framed with the schema's id: a Promise the first time
   * (the schema is registered), a Buffer from then on.
   * @throws TributaryError ENCODE_FAILED when the subject has no schema or the payload does not fit it
   *   (`context.fields` names the wrong paths); the registry's error, or a retriable ENCODE_FAILED, when
   *   registering fails (the Promise rejects; the next call tries again).
   */
  encode(payload: unknown, context: CodecContext): Buffer | Promise<Buffer> {
    const subject = this.#subjectFor(context);
    if (subject === undefined) throw this.#noSchema(context);
    if (subject.id !== undefined) return this.#write(subject, subject.id, payload, context);
    let body: Buffer;
    try {
      body = subject.type.toBuffer(payload);
    } catch (cause) {
      throw this.#invalid(subject, payload, context, cause);
    }
    return this.#register(subject).then((id) => frameConfluent(id, body));
  }

  /**
   * Decode a framed record, resolving its writer schema to the subject's schema: synchronous once the writer
   * schema is known, a Promise the first time it must be fetched.
   * @throws TributaryError DECODE_FAILED, SCHEMA_INCOMPATIBLE or SCHEMA_NOT_FOUND, as the class describes.
   */
  decode(bytes: Buffer, context: CodecContext): unknown | Promise<unknown> {
    const id = readConfluentSchemaId(bytes);
    const subject = this.#subjectFor(context);
    const reading = subject === undefined ? this.#generic.get(id) : subject.readings.get(id);
    if (reading !== undefined) return this.#read(reading, bytes, id, context);
    return this.#writer(id, context).then((writer) => this.#read(this.#reading(subject, id, writer), bytes, id, context));
  }

  #subjectFor(context: CodecContext): Subject | undefined {
    if (this.#strategy === 'category') return this.#subjects.get(context.category);
    let subject = this.#byTopic.get(context.topic);
    if (subject === undefined) {
      subject = this.#subjects.get(`${context.topic}-value`) ?? null;
      if (this.#byTopic.size >= MAX_REMEMBERED_TOPICS) this.#byTopic.clear();
      this.#byTopic.set(context.topic, subject);
    }
    return subject ?? undefined;
  }

  /**
   * The steady state: encode straight into the free part of a shared slab, after room for the frame's header,
   * and hand out a view of it: no copy. Like Node's own Buffer pool, a slab lives as long as any record in it.
   */
  #write(subject: Subject, id: number, payload: unknown, context: CodecContext): Buffer {
    let slab = this.#slab;
    let start = this.#used;
    let end: number;
    try {
      end = subject.type.encode(payload, slab, start + CONFLUENT_HEADER_BYTES);
      if (end < 0) {
        // It did not fit: avsc returned minus the bytes missing, so the exact size is known.
        const size = slab.length - end - start;
        if (size > SLAB_BYTES / 2) return this.#writeAlone(subject, id, payload, size);
        slab = this.#slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
        start = 0;
        end = subject.type.encode(payload, slab, CONFLUENT_HEADER_BYTES);
      }
    } catch (cause) {
      throw this.#invalid(subject, payload, context, cause);
    }
    this.#used = end;
    const record = slab.subarray(start, end);
    writeConfluentHeader(record, id);
    return record;
  }

  /** A record too large for the slab gets a buffer of its own, of the exact size. */
  #writeAlone(subject: Subject, id: number, payload: unknown, size: number): Buffer {
    const record = Buffer.allocUnsafeSlow(size);
    subject.type.encode(payload, record, CONFLUENT_HEADER_BYTES);
    writeConfluentHeader(record, id);
    return record;
  }

  #register(subject: Subject): Promise<number> {
    subject.registering ??= this.#registry.register(subject.name, subject.schema).then(
      (id) => {
        // This process reads what it writes with no registry look-up and no resolver.
        this.#writers.set(id, subject.type);
        subject.readings.set(id, { type: subject.type, resolver: undefined, incompatible: undefined });
        subject.id = id;
        return id;
      },
      (cause: unknown) => {
        subject.registering = undefined;
        if (cause instanceof TributaryError) throw cause;
        throw new TributaryError(ErrorCodes.ENCODE_FAILED, `Could not register the Avro schema of subject "${subject.name}": ${(cause as Error)?.message ?? String(cause)}`, {
          cause,
          retriable: true,
          context: { codec: this.name, subject: subject.name },
        });
      },
    );
    return subject.registering;
  }

  /** The writer schema with this id: from the cache, or fetched once from the registry. */
  #writer(id: number, context: CodecContext): Promise<avro.Type> {
    const known = this.#writers.get(id);
    if (known !== undefined) return Promise.resolve(known);
    let fetching = this.#fetching.get(id);
    if (fetching === undefined) {
      fetching = this.#fetch(id, context);
      this.#fetching.set(id, fetching);
      const forget = (): void => void this.#fetching.delete(id);
      fetching.then(forget, forget);
    }
    return fetching;
  }

  async #fetch(id: number, context: CodecContext): Promise<avro.Type> {
    let text: string;
    try {
      text = await this.#registry.getById(id);
    } catch (cause) {
      if (!(cause instanceof TributaryError)) {
        throw new TributaryError(ErrorCodes.DECODE_FAILED, `Could not fetch Avro schema ${id} from the registry: ${(cause as Error)?.message ?? String(cause)}`, {
          cause,
          retriable: true,
          context: { codec: this.name, topic: context.topic, schemaId: id },
        });
      }
      if (cause.code !== ErrorCodes.SCHEMA_NOT_FOUND) throw cause;
      throw new TributaryError(ErrorCodes.SCHEMA_NOT_FOUND, `A record in topic "${context.topic}" (category "${context.category}") names Avro schema id ${id}, which the registry does not have`, {
        cause,
        context: { codec: this.name, topic: context.topic, category: context.category, schemaId: id },
      });
    }
    let type: avro.Type;
    try {
      type = parseAvroSchemaText(text);
    } catch (cause) {
      throw new TributaryError(ErrorCodes.DECODE_FAILED, `The registry's schema ${id} is not a valid Avro schema: ${(cause as Error).message}`, {
        cause,
        context: { codec: this.name, topic: context.topic, schemaId: id },
      });
    }
    this.#writers.set(id, type);
    return type;
  }

  /** How records of writer schema `id` are read for `subject`: made once, then cached (failures too). */
  #reading(subject: Subject | undefined, id: number, writer: avro.Type): Reading {
    const cache = subject === undefined ? this.#generic : subject.readings;
    let reading = cache.get(id);
    if (reading !== undefined) return reading;
    if (subject === undefined || subject.type.equals(writer)) {
      reading = { type: subject?.type ?? writer, resolver: undefined, incompatible: undefined };
    } else {
      try {
        reading = { type: subject.type, resolver: subject.type.createResolver(writer, resolveOptions()), incompatible: undefined };
      } catch (cause) {
        reading = { type: undefined, resolver: undefined, incompatible: { why: (cause as Error).message, cause } };
      }
    }
    cache.set(id, reading);
    return reading;
  }

  #read(reading: Reading, bytes: Buffer, id: number, context: CodecContext): unknown {
    if (reading.type === undefined) {
      const subject = this.subjectOf(context);
      throw new TributaryError(
        ErrorCodes.SCHEMA_INCOMPATIBLE,
        `A record in topic "${context.topic}" was written with Avro schema ${id}, which cannot be read with the schema of subject "${subject}": ${reading.incompatible?.why}`,
        { cause: reading.incompatible?.cause, context: { codec: this.name, topic: context.topic, category: context.category, schemaId: id, subject } },
      );
    }
    let decoded: { value: unknown; offset: number };
    try {
      decoded = reading.type.decode(bytes, CONFLUENT_HEADER_BYTES, reading.resolver);
    } catch (cause) {
      throw this.#malformed(id, bytes, context, (cause as Error).message, cause);
    }
    if (decoded.offset !== bytes.length) {
      throw this.#malformed(id, bytes, context, decoded.offset < 0 ? 'the data is truncated' : `${bytes.length - decoded.offset} byte(s) follow the data`);
    }
    return decoded.value;
  }

  #malformed(id: number, bytes: Buffer, context: CodecContext, why: string, cause?: unknown): TributaryError {
    return new TributaryError(ErrorCodes.DECODE_FAILED, `Malformed Avro record in topic "${context.topic}" (category "${context.category}", schema id ${id}): ${why}`, {
      cause,
      context: { codec: this.name, topic: context.topic, category: context.category, schemaId: id, length: bytes.length },
    });
  }

  #noSchema(context: CodecContext): TributaryError {
    const subject = this.subjectOf(context);
    return new TributaryError(
      ErrorCodes.ENCODE_FAILED,
      `No Avro schema for subject "${subject}" (topic "${context.topic}", category "${context.category}"); this codec has schemas for ${[...this.#subjects.keys()].map((s) => `"${s}"`).join(', ')}`,
      { context: { codec: this.name, topic: context.topic, category: context.category, subject } },
    );
  }

  #invalid(subject: Subject, payload: unknown, context: CodecContext, cause: unknown): TributaryError {
    const problems = explainInvalid(subject.type, payload);
    const detail = problems.length > 0 ? problems.map((p) => p.text).join('; ') : (cause as Error)?.message;
    return new TributaryError(ErrorCodes.ENCODE_FAILED, `The payload of a "${context.category}" event for topic "${context.topic}" does not fit the Avro schema of subject "${subject.name}": ${detail}`, {
      cause,
      context: { codec: this.name, topic: context.topic, category: context.category, subject: subject.name, fields: problems.map((p) => p.path) },
    });
  }
}
