/** Big-endian fields written one after another, as Kafka's protocol lays them out (`null` is a null string). */
export type Field = readonly ['i8' | 'i16' | 'i32', number] | readonly ['i64', bigint] | readonly ['str', string | null] | readonly ['raw', Buffer];

/** The bytes of these fields, written independently of the codecs under test. */
export function bytes(...fields: Field[]): Buffer {
  return Buffer.concat(
    fields.map(([type, v]) => {
      switch (type) {
        case 'i8': return Buffer.from([(v as number) & 0xff]);
        case 'i16': { const b = Buffer.alloc(2); b.writeInt16BE(v as number); return b; }
        case 'i32': { const b = Buffer.alloc(4); b.writeInt32BE(v as number); return b; }
        case 'i64': { const b = Buffer.alloc(8); b.writeBigInt64BE(v as bigint); return b; }
        case 'str': {
          if (v === null) return bytes(['i16', -1]);
          const s = Buffer.from(v as string);
          return Buffer.concat([bytes(['i16', s.length]), s]);
        }
        case 'raw': return v as Buffer;
      }
    }),
  );
}
