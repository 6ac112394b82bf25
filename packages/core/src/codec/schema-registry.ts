import { createHash } from 'node:crypto';
import { ErrorCodes, InvalidArgumentError, TributaryError, quote } from '../errors.js';
import { SchemaTable } from './schema-table.js';

/** A schema as a registry holds it. */
export interface RegisteredSchema {
  /** The id written into every record's Confluent frame (see {@link schemaId}). */
  readonly id: number;
  readonly subject: string;
  /** 1 for the first schema registered under the subject, then 2, 3... in registration order. */
  readonly version: number;
  /** The schema's canonical JSON text, exactly as registered. */
  readonly schema: string;
}

/**
 * Where writer schemas are kept, by id, so a reader can find the schema a record was written with from the id
 * in its Confluent frame.
 *
 * The contract every implementation keeps:
 * - `register` is idempotent: the same schema text under the same subject always gives the same id, in this
 *   process and in every other process sharing the registry. A schema text has one id whatever its subject.
 * - an id, once returned by `register`, always names the same schema (records carry it forever).
 * - `register` resolves only once every reader of the registry can find the schema by `getById`.
 *
 * Schemas are compared as text: callers pass a canonical form (the Avro codec sorts object keys).
 */
export interface SchemaRegistry {
  /**
   * Register `schema` (canonical JSON text) under `subject`; resolves with its id.
   * @throws InvalidArgumentError for an empty subject or schema; TributaryError SCHEMA_INCOMPATIBLE (with
   *   `context.reason` `id-collision`) when the schema's id already belongs to another schema.
   */
  register(subject: string, schema: string): Promise<number>;
  /** The schema text with this id. @throws TributaryError SCHEMA_NOT_FOUND when no schema has this id. */
  getById(id: number): Promise<string>;
  /** The newest schema of `subject`. @throws TributaryError SCHEMA_NOT_FOUND when the subject has none. */
  latest(subject: string): Promise<RegisteredSchema>;
  /** Every schema of `subject`, oldest (version 1) first; empty when there is none. */
  versions(subject: string): Promise<RegisteredSchema[]>;
}

/**
 * The id of a schema: the first 31 bits of the SHA-256 of its text (Confluent ids are Java `int`s, so they
 * are kept positive).
 *
 * Why a hash rather than a counter: every process computes the same id for the same schema with no
 * coordination, in every environment, and an id can be checked against the schema it names, so a registry
 * that lost or reordered records can never map an id to the wrong schema. The cost is a small chance that
 * two different schemas get the same id (for 1,000 schemas, about 1 in 4,300 that some pair collides); a
 * registry detects it and refuses the second schema with SCHEMA_INCOMPATIBLE (reason `id-collision`), so a
 * collision fails loudly at registration and never misreads a record. Changing the schema's `doc` changes its
 * id. Counters (ids from a log's order, like Confluent's) never collide but depend on the history of one
 * registry: a record copied to another cluster, or a log that lost its first records, would silently point to
 * another schema.
 */
export function schemaId(schema: string): number {
  return createHash('sha256').update(schema, 'utf8').digest().readUInt32BE(0) >>> 1;
}

/** @throws InvalidArgumentError naming the argument when it is not a non-empty string. */
export function checkRegistration(subject: unknown, schema: unknown): void {
  for (const [name, value] of [['subject', subject], ['schema', schema]] as const) {
    if (typeof value !== 'string' || value === '') {
      throw new InvalidArgumentError(`Invalid ${name} ${quote(value)} to register: expected a non-empty string`, { value, expected: name });
    }
  }
}

/** The error for an id that no schema has. */
export function schemaIdNotFound(id: number): TributaryError {
  return new TributaryError(ErrorCodes.SCHEMA_NOT_FOUND, `No schema with id ${id} is registered`, { context: { schemaId: id } });
}

/** The error for a subject with no schema. */
export function subjectNotFound(subject: string): TributaryError {
  return new TributaryError(ErrorCodes.SCHEMA_NOT_FOUND, `No schema is registered under subject ${quote(subject)}`, { context: { subject } });
}

/** The error for a schema whose id belongs to another schema already. */
export function idCollision(subject: string, id: number): TributaryError {
  return new TributaryError(
    ErrorCodes.SCHEMA_INCOMPATIBLE,
    `Cannot register the schema of subject ${quote(subject)}: its id ${id} already belongs to a different schema ` +
      '(the first 31 bits of their SHA-256 are equal); change the schema slightly, such as its "doc", to get another id',
    { context: { subject, schemaId: id, reason: 'id-collision' } },
  );
}

/**
 * A registry held in this process's memory: for tests, and for one process that both writes and reads its
 * records. Ids are those of {@link schemaId}, the same as every other registry's.
 */
export class InMemorySchemaRegistry implements SchemaRegistry {
  readonly #table = new SchemaTable();

  async register(subject: string, schema: string): Promise<number> {
    checkRegistration(subject, schema);
    const id = schemaId(schema);
    if (!this.#table.add(subject, schema, id)) throw idCollision(subject, id);
    return id;
  }

  async getById(id: number): Promise<string> {
    const schema = this.#table.schemaOf(id);
    if (schema === undefined) throw schemaIdNotFound(id);
    return schema;
  }

  async latest(subject: string): Promise<RegisteredSchema> {
    const latest = this.#table.versions(subject).at(-1);
    if (latest === undefined) throw subjectNotFound(subject);
    return latest;
  }

  async versions(subject: string): Promise<RegisteredSchema[]> {
    return [...this.#table.versions(subject)];
  }
}
