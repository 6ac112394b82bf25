import type { RegisteredSchema } from './schema-registry.js';

/**
 * Registered schemas: which schema each id names, and each subject's versions in registration order. Both
 * registries keep one; the log registry fills it by replaying its log, so the same log in the same order gives
 * every process the same table. Not exported from the package.
 */
export class SchemaTable {
  readonly #byId = new Map<number, string>();
  readonly #bySubject = new Map<string, RegisteredSchema[]>();

  /** The schema text with this id, if any. */
  schemaOf(id: number): string | undefined {
    return this.#byId.get(id);
  }

  /** The registration of `schema` under `subject`, if any. */
  find(subject: string, schema: string): RegisteredSchema | undefined {
    return this.#bySubject.get(subject)?.find((r) => r.schema === schema);
  }

  /** The subject's versions, oldest first. */
  versions(subject: string): readonly RegisteredSchema[] {
    return this.#bySubject.get(subject) ?? [];
  }

  /**
   * Record that `schema` (whose id is `id`) is registered under `subject`; a repeat changes nothing.
   * The first schema to claim an id keeps it: returns false, and records nothing, when `id` already names a
   * different schema.
   */
  add(subject: string, schema: string, id: number): boolean {
    const owner = this.#byId.get(id);
    if (owner !== undefined && owner !== schema) return false;
    this.#byId.set(id, schema);
    const versions = this.#bySubject.get(subject);
    if (versions === undefined) {
      this.#bySubject.set(subject, [Object.freeze({ id, subject, version: 1, schema })]);
    } else if (!versions.some((r) => r.schema === schema)) {
      versions.push(Object.freeze({ id, subject, version: versions.length + 1, schema }));
    }
    return true;
  }
}
