import avro from 'avsc';
import { ErrorCodes, InvalidArgumentError, TributaryError, quote } from '../errors.js';
import type { Codec, CodecContext } from './codec.js';
import { frameConfluent, unframeConfluent } from './confluent-wire.js';
import type { SchemaRegistry } from './schema-registry.js';

/** How a record's subject (the name its schema is registered under) is found. */
export type SubjectStrategy = 'topic' | 'category';

/** An Avro schema, as avsc takes it (a JSON object, a type name, or an array for a union). */
export type AvroSchema = avro.Schema;

export interface AvroCodecOptions {
  registry: SchemaRegistry;
  /**
   * The schema per subject. With the `topic` strategy (Confluent's TopicNameStrategy) the subject is
   * `<topic>-value`; with `category` it is the event's category. The schema is the writer's schema when
   * encoding and the reader's when decoding.
   */
  schemas: Readonly<Record<string, avro.Schema>>;
  subjectStrategy?: SubjectStrategy;
}

interface Subject {
  type: avro.Type;
  canonical: string;
  /** Set once registered: from then on encoding is synchronous. */
  id?: number;
  registering?: Promise<number>;
}

/**
 * Avro payloads in the Confluent wire format. Encoding registers the subject's schema the first time
 * (asynchronous), then is synchronous. Decoding reads the writer schema's id from the frame, fetches that
 * schema once, and resolves it to the reader's schema by the Avro specification's rules ("Schema
 * Resolution"): a field the reader has and the writer lacks takes the reader's default; a field the writer has
 * and the reader lacks is skipped. A writer schema that cannot be resolved is rejected, never read as garbage.
 */
export class AvroCodec implements Codec {
  readonly name = 'avro';
  readonly #registry: SchemaRegistry;
  readonly #strategy: SubjectStrategy;
  readonly #subjects = new Map<string, Subject>();
  readonly #writers = new Map<number, avro.Type>();
  readonly #fetching = new Map<number, Promise<avro.Type>>();
  readonly #resolvers = new Map<string, avro.Resolver | null>();

  /** @throws InvalidArgumentError naming a subject whose schema avsc cannot parse. */
  constructor(options: AvroCodecOptions) {
    this.#registry = options.registry;
    this.#strategy = options.subjectStrategy ?? 'topic';
    for (const [subject, schema] of Object.entries(options.schemas)) {
      let type: avro.Type;
      try {
        type = avro.Type.forSchema(schema);
      } catch (cause) {
        throw new InvalidArgumentError(`Invalid Avro schema for subject "${subject}": ${(cause as Error).message}`, { subject }, cause);
      }
      this.#subjects.set(subject, { type, canonical: JSON.stringify(type.schema()) });
    }
  }

  /** The subject a record of this context is registered under. */
  subjectOf(context: CodecContext): string {
    return this.#strategy === 'topic' ? `${context.topic}-value` : context.category;
  }

  encode(payload: unknown, context: CodecContext): Buffer | Promise<Buffer> {
    const subject = this.#subject(context, ErrorCodes.ENCODE_FAILED);
    let body: Buffer;
    try {
      body = subject.type.toBuffer(payload);
    } catch (cause) {
      throw this.#invalid(subject.type, payload, context, cause);
    }
    if (subject.id !== undefined) return frameConfluent(subject.id, body);
    subject.registering ??= this.#registry.register(this.subjectOf(context), subject.canonical).then(
      (id) => {
        // A process reading back what it wrote needs no registry lookup.
        if (!this.#writers.has(id)) this.#writers.set(id, subject.type);
        return (subject.id = id);
      },
      (error: unknown) => {
        subject.registering = undefined;
        throw error;
      },
    );
    return subject.registering.then((id) => frameConfluent(id, body));
  }

  decode(bytes: Buffer, context: CodecContext): unknown | Promise<unknown> {
    const { schemaId, payload } = unframeConfluent(bytes);
    const writer = this.#writers.get(schemaId);
    if (writer) return this.#read(schemaId, writer, payload, context);
    let fetching = this.#fetching.get(schemaId);
    if (!fetching) {
      fetching = this.#registry.getById(schemaId).then((schema) => {
        const type = avro.Type.forSchema(JSON.parse(schema) as avro.Schema);
        this.#writers.set(schemaId, type);
        return type;
      });
      fetching.finally(() => this.#fetching.delete(schemaId)).catch(() => {});
      this.#fetching.set(schemaId, fetching);
    }
    return fetching.then((type) => this.#read(schemaId, type, payload, context));
  }

  #read(schemaId: number, writer: avro.Type, payload: Buffer, context: CodecContext): unknown {
    const subjectName = this.subjectOf(context);
    const reader = this.#subjects.get(subjectName)?.type ?? writer;
    let resolver: avro.Resolver | undefined;
    if (reader !== writer) {
      const key = `${schemaId}\u0000${subjectName}`;
      if (!this.#resolvers.has(key)) this.#resolvers.set(key, this.#resolve(reader, writer, schemaId, subjectName));
      resolver = this.#resolvers.get(key) ?? undefined;
    }
    try {
      return resolver ? reader.fromBuffer(payload, resolver) : reader.fromBuffer(payload);
    } catch (cause) {
      throw new TributaryError(ErrorCodes.DECODE_FAILED, `Malformed Avro payload in topic "${context.topic}" (schema id ${schemaId}): ${(cause as Error).message}`, {
        cause,
        context: { codec: 'avro', topic: context.topic, category: context.category, schemaId },
      });
    }
  }

  #resolve(reader: avro.Type, writer: avro.Type, schemaId: number, subject: string): avro.Resolver | null {
    if (reader.equals(writer)) return null;
    try {
      return reader.createResolver(writer);
    } catch (cause) {
      throw new TributaryError(ErrorCodes.SCHEMA_INCOMPATIBLE, `The writer schema ${schemaId} cannot be read with the reader schema of subject "${subject}": ${(cause as Error).message}`, {
        cause,
        context: { codec: 'avro', schemaId, subject },
      });
    }
  }

  #subject(context: CodecContext, code: typeof ErrorCodes.ENCODE_FAILED): Subject {
    const name = this.subjectOf(context);
    const subject = this.#subjects.get(name);
    if (!subject) {
      throw new TributaryError(code, `No Avro schema for subject "${name}" (topic "${context.topic}", category "${context.category}"); known subjects: ${[...this.#subjects.keys()].join(', ')}`, {
        context: { codec: 'avro', subject: name },
      });
    }
    return subject;
  }

  #invalid(type: avro.Type, payload: unknown, context: CodecContext, cause: unknown): TributaryError {
    const problems: string[] = [];
    type.isValid(payload, { errorHook: (path, value, t) => problems.push(`${path.join('.') || '(root)'}: expected ${JSON.stringify(t.schema())}, got ${typeof value === 'bigint' ? `${value}n` : quote(value, 60)}`) });
    const detail = problems.length > 0 ? problems.slice(0, 5).join('; ') : (cause as Error).message;
    return new TributaryError(ErrorCodes.ENCODE_FAILED, `The payload of a "${context.category}" event does not fit the Avro schema of "${this.subjectOf(context)}": ${detail}`, {
      cause,
      context: { codec: 'avro', topic: context.topic, category: context.category, fields: problems },
    });
  }
}
