import { createHash } from 'node:crypto';
import { ErrorCodes, TributaryError } from '../errors.js';

/**
 * Where Avro writer schemas are kept, by id. Registering the same schema again gives the same id; a reader
 * finds a record's writer schema by the id in its Confluent frame.
 */
export interface SchemaRegistry {
  /** Register `schema` (canonical JSON text) under `subject`; resolves with its id. Idempotent. */
  register(subject: string, schema: string): Promise<number>;
  /** The schema with this id. @throws TributaryError SCHEMA_NOT_FOUND. */
  getById(id: number): Promise<string>;
  /** The schemas registered under `subject`, oldest first. */
  versions(subject: string): Promise<string[]>;
}

/**
 * The id of a schema: the first 31 bits of the SHA-256 of its canonical text. Every process computes the same
 * id with no coordination, so registries on a shared log need no consensus on numbering. The cost is a
 * chance of collision (about 1 in 4 million for 1,000 schemas), which registration detects and refuses.
 */
export function schemaId(canonicalSchema: string): number {
  return createHash('sha256').update(canonicalSchema).digest().readUInt32BE(0) >>> 1;
}

function notFound(id: number): TributaryError {
  return new TributaryError(ErrorCodes.SCHEMA_NOT_FOUND, `No schema with id ${id} is registered`, { context: { schemaId: id } });
}

function collision(id: number): TributaryError {
  return new TributaryError(ErrorCodes.SCHEMA_INCOMPATIBLE, `Schema id ${id} already belongs to a different schema (hash collision); change the schema's doc or namespace`, { context: { schemaId: id } });
}

/** Registered schemas held in memory: ids by hash, subjects with their versions. Shared by both registries. */
class SchemaTable {
  readonly byId = new Map<number, string>();
  readonly bySubject = new Map<string, string[]>();

  /** Add a registration; false when it is already known. @throws on an id collision. */
  add(subject: string, schema: string): number {
    const id = schemaId(schema);
    const known = this.byId.get(id);
    if (known !== undefined && known !== schema) throw collision(id);
    this.byId.set(id, schema);
    const versions = this.bySubject.get(subject) ?? [];
    if (!versions.includes(schema)) this.bySubject.set(subject, [...versions, schema]);
    return id;
  }
}

/** A registry in this process: for tests, and for one process that both writes and reads. */
export class InMemorySchemaRegistry implements SchemaRegistry {
  readonly #table = new SchemaTable();

  async register(subject: string, schema: string): Promise<number> {
    return this.#table.add(subject, schema);
  }

  async getById(id: number): Promise<string> {
    const schema = this.#table.byId.get(id);
    if (schema === undefined) throw notFound(id);
    return schema;
  }

  async versions(subject: string): Promise<string[]> {
    return [...(this.#table.bySubject.get(subject) ?? [])];
  }
}

/**
 * The log a {@link LogSchemaRegistry} keeps its registrations on: on Kafka, a compacted topic with one
 * partition (the kafka plugin package implements it). Records are keyed by subject and schema id, so
 * compaction only ever drops repeats.
 */
export interface SchemaLog {
  append(key: string, value: string): Promise<void>;
  /** Every record from the start up to the end as of the call. */
  readAll(): Promise<Array<{ key: string; value: string }>>;
}

/**
 * A schema registry kept on a log, with no registry server: registrations are appended; an unknown id is
 * looked up by reading the log again. Because ids are hashes of the schema (see {@link schemaId}), two
 * processes registering at the same time agree on ids without coordinating.
 */
export class LogSchemaRegistry implements SchemaRegistry {
  readonly #log: SchemaLog;
  readonly #table = new SchemaTable();
  readonly #appended = new Set<string>();

  constructor(log: SchemaLog) {
    this.#log = log;
  }

  async register(subject: string, schema: string): Promise<number> {
    const id = this.#table.add(subject, schema);
    const key = `${subject}/${id}`;
    if (!this.#appended.has(key)) {
      await this.#log.append(key, JSON.stringify({ subject, id, schema }));
      this.#appended.add(key);
    }
    return id;
  }

  async getById(id: number): Promise<string> {
    let schema = this.#table.byId.get(id);
    if (schema === undefined) {
      await this.#catchUp();
      schema = this.#table.byId.get(id);
    }
    if (schema === undefined) throw notFound(id);
    return schema;
  }

  async versions(subject: string): Promise<string[]> {
    await this.#catchUp();
    return [...(this.#table.bySubject.get(subject) ?? [])];
  }

  async #catchUp(): Promise<void> {
    for (const { key, value } of await this.#log.readAll()) {
      let entry: { subject?: unknown; schema?: unknown };
      try {
        entry = JSON.parse(value) as typeof entry;
      } catch {
        continue; // not a registration: a foreign record on the topic
      }
      if (typeof entry.subject === 'string' && typeof entry.schema === 'string') {
        this.#table.add(entry.subject, entry.schema);
        this.#appended.add(key);
      }
    }
  }
}

/** A {@link SchemaLog} in memory, for tests of the log registry and of processes sharing one log. */
export class InMemorySchemaLog implements SchemaLog {
  readonly records: Array<{ key: string; value: string }> = [];
  async append(key: string, value: string): Promise<void> {
    this.records.push({ key, value });
  }
  async readAll(): Promise<Array<{ key: string; value: string }>> {
    return [...this.records];
  }
}
