import { readFileSync } from 'node:fs';
import { Option } from 'commander';
import {
  AvroCodec,
  createCodecLookup,
  ErrorCodes,
  isTributaryError,
  jsonCodec,
  LogSchemaRegistry,
  readConfluentSchemaId,
  TributaryError,
  type AvroSchema,
  type Codec,
  type CodecContext,
  type CodecLookup,
  type SchemaRegistry,
} from '@tributary/core';
import { KafkaSchemaLog } from '@tributary/kafka';
import { UsageError } from './errors.js';
import type { CommandContext } from './program.js';

/** The payload codecs the command line writes with `--codec`, and reads whatever a record names. */
export const CODEC_NAMES = ['json', 'string', 'avro'] as const;
export type CodecName = (typeof CODEC_NAMES)[number];

/** The schema log's topic when none is given (KafkaSchemaLog's default). */
const SCHEMA_TOPIC = '_tributary_schemas';

/**
 * Text payloads as their UTF-8 bytes, for records other tools write or read as plain text (kcat, the console
 * consumer). Core has JSON and Avro only; a string payload through JSON would carry its quotes. Records carry
 * `tributary-codec: string`, which `consume` and `replay` decode.
 */
export const stringCodec: Codec = {
  name: 'string',
  encode(payload: unknown, context: CodecContext): Buffer {
    if (typeof payload !== 'string') {
      throw new TributaryError(ErrorCodes.ENCODE_FAILED, `The string codec writes text, but the payload of a "${context.category}" event for "${context.topic}" is ${JSON.stringify(payload) ?? typeof payload}`, {
        context: { codec: 'string', topic: context.topic, category: context.category },
      });
    }
    return Buffer.from(payload, 'utf8');
  },
  decode: (bytes: Buffer) => bytes.toString('utf8'),
};

/** The options of the commands that write or read payloads with a codec. */
export interface CodecOptions {
  codec?: CodecName;
  schema?: string;
  schemaTopic?: string;
}

/** `--schema-topic`: where Avro schemas are registered (produce) and found by the id in a record (consume, replay). */
export function schemaTopicOption(): Option {
  return new Option('--schema-topic <topic>', `the schema registry's log topic, where Avro schemas are registered and found by id (default ${SCHEMA_TOPIC})`);
}

/** The schema registry on the run's cluster (the Kafka schema log; no registry server), closed when the command ends. */
function registryOf(ctx: CommandContext, o: CodecOptions): SchemaRegistry {
  const log = new KafkaSchemaLog(ctx.connection(), { topic: o.schemaTopic ?? SCHEMA_TOPIC });
  ctx.defer(() => log.close());
  return new LogSchemaRegistry(log);
}

function readSchemaFile(path: string): AvroSchema {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new UsageError(`Cannot read the Avro schema file "${path}": ${(cause as Error).message}; nothing was sent`, { option: 'schema', path }, cause);
  }
  try {
    return JSON.parse(text) as AvroSchema;
  } catch (cause) {
    throw new UsageError(`The Avro schema file "${path}" is not JSON (an .avsc schema): ${(cause as Error).message}; nothing was sent`, { option: 'schema', path }, cause);
  }
}

/**
 * The codec `produce` writes `topic`'s payloads with. Avro takes its schema from `--schema <file>` (registered
 * under `<topic>-value` at the first send), or else the schema the registry holds for `<topic>-value`.
 * @throws UsageError (exit 2) for a schema file that cannot be read or parsed, an invalid schema, a topic with no
 *   registered schema, or `--schema` without `--codec avro`.
 */
export async function writerCodec(ctx: CommandContext, topic: string, o: CodecOptions): Promise<Codec> {
  const name = o.codec ?? 'json';
  if (o.schema !== undefined && name !== 'avro') throw new UsageError(`--schema is the Avro schema of --codec avro, but the codec is ${name}`, { option: 'schema' });
  if (name === 'json') return jsonCodec;
  if (name === 'string') return stringCodec;
  const subject = `${topic}-value`;
  const registry = registryOf(ctx, o);
  let schema: AvroSchema;
  if (o.schema !== undefined) schema = readSchemaFile(o.schema);
  else {
    try {
      // The registry holds the schema's canonical JSON text; the codec takes the schema itself.
      schema = JSON.parse((await registry.latest(subject)).schema) as AvroSchema;
    } catch (error) {
      if (!isTributaryError(error, ErrorCodes.SCHEMA_NOT_FOUND)) throw error;
      throw new UsageError(`No Avro schema is registered for subject "${subject}": give one with --schema <file.avsc>; nothing was sent`, { option: 'schema', subject }, error);
    }
  }
  try {
    return new AvroCodec({ registry, schemas: { [subject]: schema } });
  } catch (error) {
    if (isTributaryError(error)) throw new UsageError(`--schema ${o.schema ?? `(the registry's ${subject})`}: ${error.message}`, { option: 'schema', ...error.context }, error);
    throw error;
  }
}

/**
 * Avro records read with their writer's schema (what a generic reader such as `kcat -s avro` shows): the schema
 * is found in the registry by the id in each record's frame, once per id. No IO until an Avro record comes.
 */
function writerSchemaAvro(registry: () => SchemaRegistry): Codec {
  const byId = new Map<number, Promise<AvroCodec>>();
  return {
    name: 'avro',
    encode: () => {
      throw new TributaryError(ErrorCodes.ENCODE_FAILED, 'The reading Avro codec does not write');
    },
    decode(bytes: Buffer, context: CodecContext): Promise<unknown> {
      const id = readConfluentSchemaId(bytes);
      let codec = byId.get(id);
      if (codec === undefined) {
        const r = registry();
        codec = r.getById(id).then((schema) => new AvroCodec({ registry: r, schemas: { [`${context.topic}-value`]: JSON.parse(schema) as AvroSchema } }));
        byId.set(id, codec);
        codec.catch(() => byId.delete(id));
      }
      return codec.then((c) => c.decode(bytes, context));
    },
  };
}

/** What `consume` and `replay` decode: JSON, string, and Avro through the run's schema registry. */
export function readerCodecs(ctx: CommandContext, o: CodecOptions): CodecLookup {
  let registry: SchemaRegistry | undefined;
  return createCodecLookup([jsonCodec, stringCodec, writerSchemaAvro(() => (registry ??= registryOf(ctx, o)))]);
}
