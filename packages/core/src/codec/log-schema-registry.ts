import { randomUUID } from 'node:crypto';
import { ErrorCodes, InvalidArgumentError, TributaryError, quote } from '../errors.js';
import {
  checkRegistration,
  idCollision,
  schemaId,
  schemaIdNotFound,
  subjectNotFound,
  type RegisteredSchema,
  type SchemaRegistry,
} from './schema-registry.js';
import { SchemaTable } from './schema-table.js';

/** One record of a {@link SchemaLog}. */
export interface SchemaLogRecord {
  key: string;
  value: string;
}

/**
 * The port a {@link LogSchemaRegistry} keeps its registrations on. On Kafka it is a topic with ONE partition
 * and `cleanup.policy=compact` (the kafka plugin package implements it); core knows no Kafka client.
 *
 * What an implementation must promise:
 * - **One order.** Every reader sees the records in the same order, the order they were appended in.
 * - **Durable, then visible.** When `append` resolves, the record is stored durably (on Kafka: `acks=all`), and
 *   every `readAll` that starts afterwards, in any process, returns it (read to the end as of the call: the
 *   high watermark, not a cached position).
 * - **Nothing lost.** Records are never deleted by age. The registry gives every record a unique key, so
 *   compaction never drops one either: the topic is compacted only to keep it forever.
 *
 * Errors may be anything; the registry wraps them (code CONNECTION, retriable) and keeps them as `cause`.
 */
export interface SchemaLog {
  /** Append one record; resolves once it is durable. */
  append(key: string, value: string): Promise<void>;
  /** Every record from the start of the log to its end as of the call, in log order. */
  readAll(): Promise<SchemaLogRecord[]>;
}

/** What a registration record holds (its value, as JSON). */
interface Registration {
  subject: string;
  id: number;
  schema: string;
}

function parseRegistration(value: string): Registration | undefined {
  let entry: Partial<Registration>;
  try {
    entry = JSON.parse(value) as Partial<Registration>;
  } catch {
    return undefined;
  }
  if (entry === null || typeof entry !== 'object') return undefined;
  const { subject, id, schema } = entry;
  if (typeof subject !== 'string' || subject === '' || typeof schema !== 'string' || schema === '') return undefined;
  // A record whose id is not its schema's is corrupt or foreign: believing it could misread records.
  return id === schemaId(schema) ? { subject, id, schema } : undefined;
}

/**
 * A schema registry kept on a log (a compacted Kafka topic), with no registry server.
 *
 * Ids are {@link schemaId}: a hash of the schema, so every process computes the same id alone. What the log
 * decides is who owns an id when two different schemas hash alike: **the first registration record in log
 * order wins**, and since every process reads the same log in the same order, they all agree. To register,
 * a process reads the log to its end; if the schema is there it is done (no write); otherwise it appends a
 * registration record, reads the log back to its end, and returns the id only if the first claimant of the id
 * is its own schema (else SCHEMA_INCOMPATIBLE, reason `id-collision`). So no process ever writes a record
 * with an id that another process reads as a different schema, even when they register at the same moment.
 * Two processes registering the same schema at once may both append it; the repeat is harmless.
 *
 * Versions of a subject are numbered in log order, the same in every process. Unknown ids are looked up by
 * reading the log again; concurrent look-ups share one read.
 */
export class LogSchemaRegistry implements SchemaRegistry {
  readonly #log: SchemaLog;
  readonly #table = new SchemaTable();
  readonly #registering = new Map<string, Promise<number>>();
  #reading: Promise<void> | undefined;
  #nextReading: Promise<void> | undefined;

  /** @throws InvalidArgumentError when `log` is not a {@link SchemaLog}. */
  constructor(log: SchemaLog) {
    if (log === null || typeof log !== 'object' || typeof log.append !== 'function' || typeof log.readAll !== 'function') {
      throw new InvalidArgumentError(`Invalid schema log ${quote(log)}: expected a SchemaLog (append, readAll)`, { value: log, expected: 'SchemaLog' });
    }
    this.#log = log;
  }

  register(subject: string, schema: string): Promise<number> {
    try {
      checkRegistration(subject, schema);
    } catch (error) {
      return Promise.reject(error);
    }
    const id = schemaId(schema);
    if (this.#table.find(subject, schema) !== undefined) return Promise.resolve(id);
    const key = `${subject}\u0000${schema}`;
    let registering = this.#registering.get(key);
    if (registering === undefined) {
      registering = this.#register(subject, schema, id).finally(() => this.#registering.delete(key));
      this.#registering.set(key, registering);
    }
    return registering;
  }

  async getById(id: number): Promise<string> {
    let schema = this.#table.schemaOf(id);
    if (schema === undefined) {
      await this.#catchUp();
      schema = this.#table.schemaOf(id);
    }
    if (schema === undefined) throw schemaIdNotFound(id);
    return schema;
  }

  /** Reads the log to its end first, so it sees every other process's registrations (for tools, not hot paths). */
  async latest(subject: string): Promise<RegisteredSchema> {
    await this.#catchUp();
    const latest = this.#table.versions(subject).at(-1);
    if (latest === undefined) throw subjectNotFound(subject);
    return latest;
  }

  /** Reads the log to its end first, as {@link LogSchemaRegistry.latest} does. */
  async versions(subject: string): Promise<RegisteredSchema[]> {
    await this.#catchUp();
    return [...this.#table.versions(subject)];
  }

  async #register(subject: string, schema: string, id: number): Promise<number> {
    await this.#catchUp();
    if (this.#claimed(subject, schema, id)) return id;
    const registration: Registration = { subject, id, schema };
    // A unique key: compaction keeps the last record of a key, which would move a first claim behind a later one.
    await this.#call('append', () => this.#log.append(`${subject}/${id}/${randomUUID()}`, JSON.stringify(registration)));
    await this.#catchUp();
    if (this.#claimed(subject, schema, id)) return id;
    throw new TributaryError(
      ErrorCodes.CONNECTION,
      `The schema log did not return the registration of subject "${subject}" just appended: it breaks the SchemaLog contract (read to the end after append)`,
      { retriable: true, context: { subject, schemaId: id } },
    );
  }

  /** True when the log holds this registration; throws when `id` belongs to another schema. */
  #claimed(subject: string, schema: string, id: number): boolean {
    const owner = this.#table.schemaOf(id);
    if (owner !== undefined && owner !== schema) throw idCollision(subject, id);
    return this.#table.find(subject, schema) !== undefined;
  }

  /**
   * Read the log to its end. A read already under way may have started before the caller's need (such as its
   * own append), so callers arriving during a read share the next one, which starts after it.
   */
  #catchUp(): Promise<void> {
    if (this.#reading === undefined) {
      this.#reading = this.#readAll().finally(() => (this.#reading = undefined));
      return this.#reading;
    }
    this.#nextReading ??= this.#reading
      .catch(() => undefined)
      .then(() => {
        this.#nextReading = undefined;
        return this.#catchUp();
      });
    return this.#nextReading;
  }

  async #readAll(): Promise<void> {
    const records = await this.#call('readAll', () => this.#log.readAll());
    for (const { value } of records) {
      const registration = typeof value === 'string' ? parseRegistration(value) : undefined;
      // A losing claim of an id (a hash collision) is skipped: the first claim in log order keeps the id.
      if (registration) this.#table.add(registration.subject, registration.schema, registration.id);
    }
  }

  async #call<T>(operation: 'append' | 'readAll', call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (cause) {
      if (cause instanceof TributaryError) throw cause;
      throw new TributaryError(ErrorCodes.CONNECTION, `The schema log failed to ${operation === 'append' ? 'append a registration' : 'read its records'}: ${(cause as Error)?.message ?? String(cause)}`, {
        retriable: true,
        cause,
        context: { operation },
      });
    }
  }
}

/**
 * A {@link SchemaLog} in memory, for tests: of the log registry, and of processes sharing one log (give each
 * process its own {@link LogSchemaRegistry} on the same instance). {@link compact} does what Kafka's log
 * compaction would.
 */
export class InMemorySchemaLog implements SchemaLog {
  readonly #records: SchemaLogRecord[] = [];

  /** The records, in log order (a copy). */
  get records(): SchemaLogRecord[] {
    return [...this.#records];
  }

  async append(key: string, value: string): Promise<void> {
    this.#records.push({ key, value });
  }

  async readAll(): Promise<SchemaLogRecord[]> {
    return this.records;
  }

  /** Keep only the last record of each key, in log order, as Kafka's log compaction eventually does. */
  compact(): void {
    const last = new Map<string, number>();
    this.#records.forEach((r, i) => last.set(r.key, i));
    const kept = this.#records.filter((r, i) => last.get(r.key) === i);
    this.#records.splice(0, this.#records.length, ...kept);
  }
}
